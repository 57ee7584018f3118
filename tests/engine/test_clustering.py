from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from mdmhub.engine.clustering import (
    Assignment,
    Clustering,
    Constraints,
    Decision,
    ReviewPair,
    assign_clusters,
)
from mdmhub.engine.spec import Thresholds

UPPER, LOWER = 0.9, 0.5
THRESHOLDS = Thresholds(upper=UPPER, lower=LOWER)


def cluster(
    stored: Sequence[str],
    pairs: Mapping[tuple[int, int], float],
    incoming: int = 1,
    previous: Sequence[str | None] | None = None,
) -> Clustering:
    """Cluster `incoming` records (indexes after the stored ones) given pair probabilities."""
    previous = list(previous) if previous is not None else [None] * incoming
    left = np.array([a for a, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b in pairs], dtype=np.int64)
    probability = np.array(list(pairs.values()), dtype=np.float64)
    return assign_clusters(stored, previous, left, right, probability, THRESHOLDS)


def clusters_of(result: Clustering) -> list[str]:
    return [a.cluster for a in result.assignments]


# linking and new clusters


def test_a_record_strongly_matching_a_stored_cluster_links_to_it() -> None:
    result = cluster(["A"], {(0, 1): 0.99})

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.99)]


def test_a_record_with_no_evidence_gets_a_new_cluster_numbered_by_its_position() -> None:
    result = cluster(["A"], {}, incoming=3)

    assert result.assignments == [
        Assignment("new:0", Decision.NEW, 0.0),
        Assignment("new:1", Decision.NEW, 0.0),
        Assignment("new:2", Decision.NEW, 0.0),
    ]


def test_a_record_with_only_weak_evidence_gets_a_new_cluster_scored_by_its_best_pair() -> None:
    result = cluster(["A", "B"], {(0, 2): 0.2, (1, 2): 0.3})

    assert result.assignments == [Assignment("new:0", Decision.NEW, 0.3)]


@pytest.mark.parametrize("best", [0.85, 0.6, 0.5])
def test_a_best_pair_below_upper_does_not_link(best: float) -> None:
    result = cluster(["A"], {(0, 1): best})

    assert result.assignments[0].decision is Decision.NEW


def test_a_best_pair_exactly_at_upper_links() -> None:
    result = cluster(["A"], {(0, 1): UPPER})

    assert result.assignments == [Assignment("A", Decision.LINKED, UPPER)]


def test_a_record_links_on_its_best_pair_and_a_mean_at_or_above_lower() -> None:
    result = cluster(["A", "A", "A"], {(0, 3): 0.95, (1, 3): 0.6, (2, 3): 0.4})

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.95)]


def test_only_the_members_a_record_was_compared_with_count_towards_its_mean() -> None:
    result = cluster(["A", "A", "A"], {(0, 3): 0.95})

    assert clusters_of(result) == ["A"]


def test_a_record_links_to_the_cluster_with_the_best_mean_evidence() -> None:
    result = cluster(["A", "A", "B"], {(0, 3): 0.99, (1, 3): 0.6, (2, 3): 0.95})

    assert result.assignments == [Assignment("B", Decision.LINKED, 0.95)]
    assert result.merges == {}


# no chaining


def test_one_strong_pair_does_not_pull_a_record_into_a_cluster_it_mostly_does_not_match() -> None:
    result = cluster(["A", "A", "A"], {(0, 3): 0.95, (1, 3): 0.1, (2, 3): 0.1})

    assert result.assignments == [Assignment("new:0", Decision.NEW, 0.95)]


def test_a_chain_of_strong_pairs_through_a_borderline_incoming_record_does_not_join() -> None:
    # Record 2 joins A on one strong pair; record 3 matches only record 2, weakly the rest of A.
    pairs = {(0, 2): 0.95, (1, 2): 0.6, (0, 3): 0.05, (1, 3): 0.05, (2, 3): 0.95}

    result = cluster(["A", "A"], pairs, incoming=2)

    assert clusters_of(result) == ["A", "new:1"]
    assert result.assignments[1].decision is Decision.NEW


# incoming records matching each other


def test_two_incoming_records_matching_each_other_end_in_the_same_new_cluster() -> None:
    result = cluster([], {(0, 1): 0.99}, incoming=2)

    assert result.assignments == [
        Assignment("new:0", Decision.NEW, 0.0),
        Assignment("new:0", Decision.LINKED, 0.99),
    ]


def test_an_incoming_record_can_join_a_cluster_another_incoming_record_just_joined() -> None:
    result = cluster(["A"], {(0, 1): 0.99, (1, 2): 0.97, (0, 2): 0.7}, incoming=2)

    assert clusters_of(result) == ["A", "A"]


def test_incoming_records_are_assigned_in_order() -> None:
    # Record 1 sees nothing yet when it is assigned; record 2 then finds it.
    result = cluster(["A"], {(1, 2): 0.99, (0, 2): 0.1}, incoming=2)

    assert clusters_of(result) == ["new:0", "new:0"]


# merges


def test_a_record_matching_two_clusters_strongly_on_average_merges_them() -> None:
    result = cluster(["A", "A", "B"], {(0, 3): 0.99, (1, 3): 0.95, (2, 3): 0.97})

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.99)]
    assert result.merges == {"B": "A"}


def test_the_merge_survivor_is_the_cluster_with_most_members_not_the_best_match() -> None:
    result = cluster(["A", "A", "B"], {(0, 3): 0.92, (1, 3): 0.92, (2, 3): 0.99})

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.99)]
    assert result.merges == {"B": "A"}


def test_the_merge_survivor_among_equal_sizes_is_the_smallest_label() -> None:
    result = cluster(["B", "A"], {(0, 2): 0.99, (1, 2): 0.95})

    assert clusters_of(result) == ["A"]
    assert result.merges == {"B": "A"}


def test_a_record_merges_every_cluster_it_matches_strongly_on_average() -> None:
    pairs = {(0, 4): 0.95, (1, 4): 0.95, (2, 4): 0.95, (3, 4): 0.95}

    result = cluster(["A", "B", "C", "C"], pairs)

    assert clusters_of(result) == ["C"]
    assert result.merges == {"A": "C", "B": "C"}


def test_no_merge_when_the_mean_against_the_second_cluster_is_below_upper() -> None:
    result = cluster(["A", "B", "B"], {(0, 3): 0.99, (1, 3): 0.95, (2, 3): 0.6})

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.99)]
    assert result.merges == {}


def test_merges_map_every_retired_cluster_to_the_final_survivor() -> None:
    stored = ["A", "B", "B", "C", "C", "C", "C", "C"]
    x, y = len(stored), len(stored) + 1
    pairs = {(0, x): 0.99, (1, x): 0.99, (2, x): 0.99, (3, y): 0.99, (x, y): 0.99}

    result = cluster(stored, pairs, incoming=2)

    assert result.merges == {"A": "C", "B": "C"}
    assert clusters_of(result) == ["C", "C"]


def test_a_new_cluster_merged_with_an_existing_one_takes_the_existing_label() -> None:
    # Records 1 and 2 form new:0 (two members); record 3 matches it and stored A (one member).
    pairs = {(1, 2): 0.99, (0, 3): 0.99, (1, 3): 0.99, (2, 3): 0.99}

    result = cluster(["A"], pairs, incoming=3)

    assert clusters_of(result) == ["A", "A", "A"]
    assert result.merges == {"new:0": "A"}


def test_evidence_against_a_retired_cluster_counts_for_its_survivor() -> None:
    # Record 3 merges A and B; record 4 matches B's member, which now belongs to A.
    pairs = {(0, 3): 0.99, (1, 3): 0.99, (2, 3): 0.99, (2, 4): 0.99}

    result = cluster(["A", "A", "B"], pairs, incoming=2)

    assert clusters_of(result) == ["A", "A"]
    assert result.assignments[1].decision is Decision.LINKED


# updated records


def test_an_updated_record_with_no_evidence_stays_in_its_previous_cluster() -> None:
    result = cluster(["A"], {}, previous=["A"])

    assert result.assignments == [Assignment("A", Decision.KEPT, 0.0)]


def test_an_updated_record_with_only_review_band_evidence_stays_where_it_was() -> None:
    result = cluster(["A", "B"], {(0, 2): 0.6, (1, 2): 0.7}, previous=["A"])

    assert result.assignments == [Assignment("A", Decision.KEPT, 0.6)]


def test_an_updated_record_strongly_matching_its_previous_cluster_is_linked_there() -> None:
    result = cluster(["A"], {(0, 1): 0.99}, previous=["A"])

    assert result.assignments == [Assignment("A", Decision.LINKED, 0.99)]


def test_an_updated_record_prefers_its_previous_cluster_among_strong_matches() -> None:
    result = cluster(["A", "B"], {(0, 2): 0.92, (1, 2): 0.99}, previous=["A"])

    assert clusters_of(result) == ["A"]


def test_an_updated_record_moves_when_it_matches_another_cluster_strongly() -> None:
    result = cluster(["A", "B"], {(0, 2): 0.6, (1, 2): 0.99}, previous=["A"])

    assert result.assignments == [Assignment("B", Decision.LINKED, 0.99)]


def test_an_updated_record_clearly_no_longer_matching_its_previous_cluster_leaves_it() -> None:
    result = cluster(["A"], {(0, 1): 0.1}, previous=["A"])

    assert result.assignments == [Assignment("new:0", Decision.NEW, 0.1)]


def test_an_updated_record_follows_its_previous_cluster_when_it_was_merged() -> None:
    pairs = {(0, 2): 0.99, (1, 2): 0.99}

    result = cluster(["A", "B"], pairs, incoming=2, previous=[None, "B"])

    assert result.assignments[1] == Assignment("A", Decision.KEPT, 0.0)


# review pairs


@pytest.mark.parametrize("p", [LOWER, 0.7, 0.89])
def test_a_pair_in_the_review_band_is_reported_when_the_record_stays_apart(p: float) -> None:
    result = cluster(["A"], {(0, 1): p})

    assert result.reviews == [ReviewPair(0, 1, p)]


@pytest.mark.parametrize("p", [0.1, 0.49])
def test_a_pair_below_lower_is_not_reported_for_review(p: float) -> None:
    result = cluster(["A"], {(0, 1): p})

    assert result.reviews == []


def test_only_the_review_band_pairs_of_a_record_that_stays_apart_are_reported() -> None:
    result = cluster(["A", "B", "C"], {(0, 3): 0.7, (1, 3): 0.2, (2, 3): 0.55})

    assert result.reviews == [ReviewPair(0, 3, 0.7), ReviewPair(2, 3, 0.55)]


def test_a_review_band_pair_within_the_cluster_a_record_joins_is_not_reported() -> None:
    result = cluster(["A", "A"], {(0, 2): 0.99, (1, 2): 0.7})

    assert clusters_of(result) == ["A"]
    assert result.reviews == []


def test_a_review_band_pair_between_two_incoming_records_kept_apart_is_reported() -> None:
    result = cluster([], {(0, 1): 0.7}, incoming=2)

    assert clusters_of(result) == ["new:0", "new:1"]
    assert result.reviews == [ReviewPair(0, 1, 0.7)]


def test_a_review_band_pair_with_a_later_record_that_links_elsewhere_is_reported() -> None:
    # Record 1 stays apart; record 2, which it resembles, arrives after it and joins A.
    result = cluster(["A"], {(0, 2): 0.99, (1, 2): 0.7}, incoming=2)

    assert clusters_of(result) == ["new:0", "A"]
    assert result.reviews == [ReviewPair(1, 2, 0.7)]


def test_a_review_band_pair_whose_clusters_were_merged_later_is_not_reported() -> None:
    # Record 1 stays apart from A on a review-band pair; record 2 then merges new:0 into A.
    pairs = {(0, 1): 0.7, (0, 2): 0.99, (1, 2): 0.99}

    result = cluster(["A"], pairs, incoming=2)

    assert clusters_of(result) == ["A", "A"]
    assert result.reviews == []


# steward constraints


def test_a_pinned_record_stays_in_its_previous_cluster_despite_strong_evidence_elsewhere() -> None:
    result = assign_clusters(
        ["A", "B"],
        ["A"],
        np.array([1], dtype=np.int64),
        np.array([2], dtype=np.int64),
        np.array([0.99]),
        THRESHOLDS,
        Constraints(pinned=frozenset({0})),
    )

    assert result.assignments == [Assignment("A", Decision.KEPT, 0.0)]


def test_a_pinned_record_matching_two_clusters_strongly_merges_neither() -> None:
    result = assign_clusters(
        ["A", "B"],
        ["A"],
        np.array([0, 1], dtype=np.int64),
        np.array([2, 2], dtype=np.int64),
        np.array([0.99, 0.99]),
        THRESHOLDS,
        Constraints(pinned=frozenset({0})),
    )

    assert result.assignments == [Assignment("A", Decision.KEPT, 0.99)]
    assert result.merges == {}


def test_two_clusters_kept_apart_are_not_merged_by_a_record_matching_both() -> None:
    result = assign_clusters(
        ["A", "B"],
        [None],
        np.array([0, 1], dtype=np.int64),
        np.array([2, 2], dtype=np.int64),
        np.array([0.99, 0.98]),
        THRESHOLDS,
        Constraints(apart=[("A", "B")]),
    )

    assert result.merges == {}
    assert clusters_of(result) == ["A"]


def test_a_cluster_kept_apart_from_one_merge_partner_stays_out_while_the_others_merge() -> None:
    result = assign_clusters(
        ["A", "B", "C"],
        [None],
        np.array([0, 1, 2], dtype=np.int64),
        np.array([3, 3, 3], dtype=np.int64),
        np.array([0.99, 0.98, 0.97]),
        THRESHOLDS,
        Constraints(apart=[("B", "C")]),
    )

    assert result.merges == {"B": "A"}


def test_a_cluster_that_merged_with_one_kept_apart_inherits_the_constraint() -> None:
    result = assign_clusters(
        ["A", "B", "C"],
        [None, None],
        np.array([0, 1, 2, 2], dtype=np.int64),
        np.array([3, 3, 4, 3], dtype=np.int64),
        np.array([0.99, 0.99, 0.99, 0.2]),
        THRESHOLDS,
        Constraints(apart=[("A", "C")]),
    )

    assert result.merges == {"B": "A"}
    assert clusters_of(result) == ["A", "C"]
