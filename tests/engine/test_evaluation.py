import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.evaluation import pairwise_scores


def _brute_force(truth: dict[int, int], predicted: dict[int, int]) -> tuple[int, int, int]:
    pairs = list(itertools.combinations(sorted(truth), 2))
    true = {p for p in pairs if truth[p[0]] == truth[p[1]]}
    found = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    return len(true), len(found), len(true & found)


def test_a_perfect_clustering_scores_one() -> None:
    truth = {1: "a", 2: "a", 3: "b"}

    scores = pairwise_scores(truth, {1: "x", 2: "x", 3: "y"})

    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)


def test_a_missed_pair_lowers_recall_only() -> None:
    scores = pairwise_scores({1: "a", 2: "a", 3: "a"}, {1: "x", 2: "x", 3: "y"})

    assert scores.precision == 1.0
    assert scores.recall == pytest.approx(1 / 3)


def test_a_wrong_pair_lowers_precision_only() -> None:
    scores = pairwise_scores({1: "a", 2: "a", 3: "b"}, {1: "x", 2: "x", 3: "x"})

    assert scores.recall == 1.0
    assert scores.precision == pytest.approx(1 / 3)


def test_linkage_counts_only_pairs_across_sources() -> None:
    truth = {"a1": 1, "a2": 1, "b1": 1}
    source_of = {"a1": "a", "a2": "a", "b1": "b"}

    scores = pairwise_scores(truth, {"a1": 9, "a2": 9, "b1": 9}, source_of)

    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (2, 2, 2)


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=30))
def test_counts_equal_enumerating_every_pair(labels: list[tuple[int, int]]) -> None:
    truth = {i: t for i, (t, _) in enumerate(labels)}
    predicted = {i: p for i, (_, p) in enumerate(labels)}

    scores = pairwise_scores(truth, predicted)

    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == _brute_force(
        truth, predicted
    )


def test_records_missing_from_either_side_are_ignored() -> None:
    rng = random.Random(1)
    truth = {i: rng.randrange(3) for i in range(10)}

    scores = pairwise_scores(truth, {i: truth[i] for i in range(5)})

    assert scores.f1 == 1.0
