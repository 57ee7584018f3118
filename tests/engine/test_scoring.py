import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import block_on
from mdmhub.engine.comparisons import SINGLETON, ExactMatch, JaroWinklerBands, Level
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.engine.scoring import (
    EXACT_LEVEL,
    MAX_ABS_WEIGHT,
    SCORED_AS_THEY_ARE,
    ScoredPairs,
    feature_columns,
    level_weights,
    probability,
    score_pairs,
    term_frequency_weight,
)
from mdmhub.engine.spec import MatchModel, Thresholds

EMAIL = ExactMatch(
    name="email",
    feature="email",
    levels=(Level("exact", m=0.8, u=0.01),),
    else_level=Level("else", m=0.2, u=0.99),
)
FAMILY = JaroWinklerBands(
    name="family",
    feature="family",
    thresholds=(0.9,),
    levels=(Level("exact", m=0.6, u=0.02), Level("jw>=0.9", m=0.3, u=0.08)),
    else_level=Level("else", m=0.1, u=0.9),
)


def model(
    *levels: Level,
    prior: float = 0.01,
    term_frequencies: Mapping[str, Mapping[str, float]] | None = None,
    family: JaroWinklerBands = FAMILY,
) -> MatchModel:
    """A two-comparison model (email, family), or one ExactMatch over `levels` when given."""
    comparisons = (
        (ExactMatch(name="x", feature="x", levels=levels[:1], else_level=levels[1]),)
        if levels
        else (EMAIL, family)
    )
    return MatchModel(
        entity=EntityType.CUSTOMER,
        comparisons=comparisons,
        blocking_rules=(block_on("email"),),
        thresholds=Thresholds(upper=0.9, lower=0.5),
        probability_two_random_records_match=prior,
        term_frequencies=term_frequencies or {},
    )


def score(
    match_model: MatchModel, records: Sequence[Mapping[str, str]], pairs: list[tuple[int, int]]
) -> ScoredPairs:
    columns = feature_columns(records, match_model.features())
    left = np.array([a for a, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b in pairs], dtype=np.int64)
    return score_pairs(match_model, columns, left, right)


def weight(m: float, u: float) -> float:
    [table] = level_weights(model(Level("exact", m=m, u=u), Level("else", m=0.5, u=0.5)))
    return float(table[1])


# level weights


@pytest.mark.parametrize(
    ("m", "u", "expected"),
    [
        (0.8, 0.01, math.log2(80)),
        (0.5, 0.5, 0.0),
        (0.1, 0.8, -3.0),
        (0.9, 0.0001, math.log2(9000)),
    ],
)
def test_a_level_weighs_log2_of_m_over_u(m: float, u: float, expected: float) -> None:
    assert weight(m, u) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("m", "u", "expected"),
    [
        (1.0, 1e-9, MAX_ABS_WEIGHT),
        (1e-9, 1.0, -MAX_ABS_WEIGHT),
        (1.0, 2.0**-20, 20.0),
        (2.0**-20, 1.0, -20.0),
    ],
)
def test_a_level_weight_is_clamped_to_plus_or_minus_twenty(
    m: float, u: float, expected: float
) -> None:
    assert weight(m, u) == expected


@pytest.mark.parametrize(
    ("m", "u", "expected"),
    [(0.0, 0.5, -MAX_ABS_WEIGHT), (0.5, 0.0, MAX_ABS_WEIGHT), (0.0, 0.0, 0.0)],
)
def test_a_level_never_seen_on_one_side_clamps_instead_of_failing(
    m: float, u: float, expected: float
) -> None:
    assert weight(m, u) == expected


def test_the_clamp_is_twenty() -> None:
    assert MAX_ABS_WEIGHT == 20.0


def test_level_weights_list_every_level_with_missing_first_at_zero() -> None:
    email, family = level_weights(model())

    assert email.tolist() == pytest.approx([0.0, math.log2(80), math.log2(0.2 / 0.99)])
    assert family.tolist() == pytest.approx(
        [0.0, math.log2(30), math.log2(3.75), math.log2(0.1 / 0.9)]
    )


def test_level_weights_are_computed_once_per_model() -> None:
    assert level_weights(model()) is level_weights(model())


def test_models_differing_only_in_term_frequencies_share_their_level_weights() -> None:
    with_frequencies = model(term_frequencies={"family": {"garcia": 0.1}})

    assert level_weights(with_frequencies) is level_weights(model())


def test_level_weights_of_a_model_with_other_m_and_u_are_computed_afresh() -> None:
    first = level_weights(model(Level("exact", m=0.8, u=0.1), Level("else", m=0.2, u=0.9)))
    second = level_weights(model(Level("exact", m=0.8, u=0.2), Level("else", m=0.2, u=0.8)))

    assert float(first[0][1]) == pytest.approx(3.0)
    assert float(second[0][1]) == pytest.approx(2.0)


def test_level_weights_are_a_tuple_of_read_only_arrays_so_the_cache_cannot_be_corrupted() -> None:
    tables = level_weights(model())

    assert isinstance(tables, tuple)
    for table in tables:
        with pytest.raises(ValueError, match="read-only"):
            table[1] = 0.0


# prior and match weight


@pytest.mark.parametrize(
    ("prior", "expected"),
    [(0.5, 0.0), (0.2, -2.0), (1 / 1025, -10.0), (1e-4, math.log2(1e-4 / (1 - 1e-4)))],
)
def test_the_prior_weight_is_log2_of_the_prior_odds(prior: float, expected: float) -> None:
    assert model(prior=prior).prior_weight == pytest.approx(expected)


def test_a_pair_with_every_value_missing_scores_the_prior() -> None:
    scored = score(model(prior=0.2), [{}, {"email": "a@x.org"}], [(0, 1)])

    assert scored.match_weight.tolist() == pytest.approx([-2.0])
    assert scored.weights.tolist() == [[0.0, 0.0]]


def test_a_missing_value_adds_nothing_to_the_match_weight() -> None:
    records = [{"email": "a@x.org"}, {"email": "a@x.org", "family": "garcia"}]

    scored = score(model(prior=0.2), records, [(0, 1)])

    assert scored.levels.tolist() == [[1, 0]]
    assert scored.match_weight.tolist() == pytest.approx([-2.0 + math.log2(80)])


def test_the_match_weight_is_the_prior_plus_every_level_weight() -> None:
    records = [
        {"email": "a@x.org", "family": "martinez"},
        {"email": "b@x.org", "family": "martines"},
    ]

    scored = score(model(prior=0.2), records, [(0, 1)])

    expected_weights = [math.log2(0.2 / 0.99), math.log2(3.75)]
    assert scored.levels.tolist() == [[2, 2]]
    assert scored.weights.tolist() == [pytest.approx(expected_weights)]
    assert scored.match_weight.tolist() == pytest.approx([-2.0 + sum(expected_weights)])


def test_the_pair_probability_is_derived_from_its_match_weight() -> None:
    records = [{"email": "a@x.org", "family": "garcia"}] * 2

    scored = score(model(), records, [(0, 1)])

    assert scored.probability.tolist() == pytest.approx(
        [1 / (1 + 2 ** -float(scored.match_weight[0]))]
    )


def test_score_pairs_scores_each_pair_by_its_indexes() -> None:
    records = [
        {"email": "a@x.org", "family": "garcia"},
        {"email": "a@x.org", "family": "garcia"},
        {"email": "b@x.org", "family": "lopez"},
    ]

    scored = score(model(), records, [(0, 1), (0, 2), (1, 2)])

    assert scored.levels.tolist() == [[1, 1], [2, 3], [2, 3]]
    assert scored.match_weight[0] > scored.match_weight[1]
    assert scored.match_weight[1] == scored.match_weight[2]


@pytest.mark.parametrize("count", [3, SCORED_AS_THEY_ARE + 2])
def test_a_feature_no_record_holds_leaves_every_pair_missing(count: int) -> None:
    records = [{"email": f"{n % 2}@x.org"} for n in range(count)]

    scored = score(model(), records, [(n, n + 1) for n in range(count - 1)])

    assert set(scored.levels[:, 1].tolist()) == {0}
    assert set(scored.weights[:, 1].tolist()) == {0.0}
    assert set(scored.levels[:, 0].tolist()) == {2}


def test_score_pairs_with_no_pairs_returns_empty_results_shaped_by_comparison() -> None:
    scored = score(model(), [{"email": "a@x.org"}], [])

    assert scored.levels.shape == (0, 2)
    assert scored.weights.shape == (0, 2)
    assert scored.match_weight.shape == (0,)
    assert scored.probability.shape == (0,)


# probability


@pytest.mark.parametrize(
    ("match_weight", "expected"),
    [(0.0, 0.5), (1.0, 2 / 3), (-1.0, 1 / 3), (10.0, 1024 / 1025), (-10.0, 1 / 1025)],
)
def test_probability_is_one_over_one_plus_two_to_the_minus_weight(
    match_weight: float, expected: float
) -> None:
    assert float(probability(match_weight)) == pytest.approx(expected)


def test_probability_works_on_arrays() -> None:
    result = probability(np.array([-1.0, 0.0, 1.0]))

    assert result.tolist() == pytest.approx([1 / 3, 0.5, 2 / 3])


weights = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


@given(weights, weights)
def test_probability_is_monotone_in_match_weight(a: float, b: float) -> None:
    low, high = sorted((a, b))

    assert float(probability(low)) <= float(probability(high))


@given(weights)
def test_probability_stays_between_zero_and_one(match_weight: float) -> None:
    assert 0.0 <= float(probability(match_weight)) <= 1.0


# feature_columns


def test_feature_columns_give_one_object_column_per_feature_with_blanks_for_missing() -> None:
    columns = feature_columns([{"email": "a@x.org"}, {"family": "garcia"}], ["email", "family"])

    assert set(columns) == {"email", "family"}
    assert columns["email"].dtype == object
    assert columns["email"].tolist() == ["a@x.org", ""]
    assert columns["family"].tolist() == ["", "garcia"]


def test_feature_columns_of_no_records_are_empty() -> None:
    columns = feature_columns([], ["email"])

    assert columns["email"].tolist() == []


def test_a_model_lists_the_features_its_comparisons_read_once_and_sorted() -> None:
    assert model().features() == ("email", "family")


# term-frequency adjustment

FAMILY_TF = JaroWinklerBands(
    name="family",
    feature="family",
    thresholds=(0.9,),
    term_frequency=True,
    levels=(Level("exact", m=0.6, u=0.02), Level("jw>=0.9", m=0.3, u=0.08)),
    else_level=Level("else", m=0.1, u=0.9),
)
SURNAMES = {"garcia": 0.08, "lopez": 0.02, SINGLETON: 0.0001}
EXACT_SURNAME = FAMILY_TF.levels[0]


def tf_weights(
    frequencies: Mapping[str, float], *values: str, exact: Level = EXACT_SURNAME
) -> list[float]:
    weights: list[float] = term_frequency_weight(exact, frequencies, list(values)).tolist()
    return weights


def family_weights(
    *pairs: tuple[str, str],
    frequencies: Mapping[str, float] | None = SURNAMES,
    family: JaroWinklerBands = FAMILY_TF,
) -> NDArray[np.float64]:
    """The weight of the family comparison for each pair of surnames (emails left out)."""
    records = [{"family": name} for pair in pairs for name in pair]
    tables = {"family": frequencies} if frequencies is not None else None
    indexes = [(2 * k, 2 * k + 1) for k in range(len(pairs))]
    return score(model(term_frequencies=tables, family=family), records, indexes).weights[:, 1]


def test_every_comparison_puts_exact_agreement_first_after_missing() -> None:
    assert EXACT_LEVEL == 1
    assert FAMILY_TF.all_levels[EXACT_LEVEL].name == "exact"


def test_an_exact_agreement_weighs_log2_of_m_over_the_share_of_the_agreed_value() -> None:
    assert tf_weights(SURNAMES, "garcia", "lopez") == pytest.approx(
        [math.log2(0.6 / 0.08), math.log2(0.6 / 0.02)]
    )


def test_a_value_absent_from_the_table_takes_the_singleton_share() -> None:
    assert tf_weights(SURNAMES, "zubizarreta") == pytest.approx([math.log2(0.6 / 0.0001)])


def test_a_table_without_a_singleton_share_takes_its_rarest_share_for_unseen_values() -> None:
    assert tf_weights({"garcia": 0.08, "lopez": 0.02}, "zubizarreta") == pytest.approx(
        [math.log2(0.6 / 0.02)]
    )


def test_a_learned_exact_weight_is_shifted_by_log2_of_u_over_the_share() -> None:
    learned = Level("exact", m=0.6, u=0.02, weight=3.0)

    assert tf_weights(SURNAMES, "garcia", exact=learned) == pytest.approx(
        [3.0 + math.log2(0.02 / 0.08)]
    )


@pytest.mark.parametrize(
    ("m", "u", "share", "expected"),
    [
        (0.9, 0.003, 2e-7, MAX_ABS_WEIGHT),  # log2(0.9 / 2e-7) = 22.1
        (0.5, 0.5, 1e-12, MAX_ABS_WEIGHT),
        (1e-12, 0.5, 0.5, -MAX_ABS_WEIGHT),
        (0.9, 1e-7, 0.01, math.log2(0.9 / 0.01)),  # log2(m/u) alone would be clamped
    ],
)
def test_the_adjusted_exact_weight_is_clamped_as_one_level(
    m: float, u: float, share: float, expected: float
) -> None:
    exact = Level("exact", m=m, u=u)

    assert tf_weights({"x": share}, "x", exact=exact) == [pytest.approx(expected)]


def test_the_adjusted_weights_of_no_values_are_empty() -> None:
    assert tf_weights(SURNAMES) == []


shares = st.floats(min_value=1e-9, max_value=1.0)


@given(shares, shares)
def test_a_rarer_value_never_weighs_less(a: float, b: float) -> None:
    rare, common = sorted((a, b))

    rare_weight, common_weight = tf_weights({"rare": rare, "common": common}, "rare", "common")

    assert rare_weight >= common_weight


def test_exact_agreement_on_a_rare_value_scores_higher_than_on_a_common_value() -> None:
    rare, common = family_weights(("lopez", "lopez"), ("garcia", "garcia"))

    assert rare > common


def test_score_pairs_gives_an_exact_agreement_its_term_frequency_weight() -> None:
    common, unseen = family_weights(("garcia", "garcia"), ("zubizarreta", "zubizarreta"))

    assert common == pytest.approx(math.log2(0.6 / 0.08))
    assert unseen == pytest.approx(math.log2(0.6 / 0.0001))


def test_only_the_exact_level_is_adjusted() -> None:
    fuzzy, different = family_weights(("garcia", "garcias"), ("garcia", "lopez"))

    assert fuzzy == pytest.approx(math.log2(0.3 / 0.08))
    assert different == pytest.approx(math.log2(0.1 / 0.9))


def test_no_adjustment_for_a_comparison_without_term_frequency() -> None:
    [weight_] = family_weights(("garcia", "garcia"), family=FAMILY)

    assert weight_ == pytest.approx(math.log2(0.6 / 0.02))


@pytest.mark.parametrize("frequencies", [None, {}], ids=["no table", "empty table"])
def test_no_adjustment_without_a_term_frequency_table_for_the_feature(
    frequencies: Mapping[str, float] | None,
) -> None:
    [weight_] = family_weights(("garcia", "garcia"), frequencies=frequencies)

    assert weight_ == pytest.approx(math.log2(0.6 / 0.02))


def test_the_adjustment_flows_into_the_match_weight_and_probability() -> None:
    records = [{"family": "garcia"}, {"family": "garcia"}, {"family": "lopez"}, {"family": "lopez"}]
    match_model = model(term_frequencies={"family": SURNAMES}, family=FAMILY_TF)

    scored = score(match_model, records, [(0, 1), (2, 3)])

    assert scored.match_weight.tolist() == pytest.approx(
        (match_model.prior_weight + scored.weights.sum(axis=1)).tolist()
    )
    assert scored.probability[1] > scored.probability[0]


VALUE_POOL = [
    "",
    "ana",
    "anna",
    "a",
    "garcia",
    "garsia",
    "ana|anita",
    "1980-01-02",
    "1980-02-01",
    "12.5",
]
VALUES = st.sampled_from(VALUE_POOL)


@pytest.mark.parametrize("entity", list(EntityType))
@given(data=st.data())
def test_pairs_scored_together_score_as_each_pair_alone(
    entity: EntityType, data: st.DataObject
) -> None:
    """Many pairs that repeat values are scored once per distinct pair of values: spreading
    the levels and the term-frequency weights back must give every pair what it scores alone
    (and a pair alone is scored as it is, see `SCORED_AS_THEY_ARE`)."""
    shipped = DEFAULT_MODELS[entity]
    shares = {value: 0.01 * (rank + 1) for rank, value in enumerate(VALUE_POOL) if value}
    match_model = replace(
        shipped,
        term_frequencies={c.feature: shares for c in shipped.comparisons if c.term_frequency},
    )
    names = match_model.features()
    records = data.draw(
        st.lists(st.fixed_dictionaries(dict.fromkeys(names, VALUES)), min_size=2, max_size=8)
    )
    drawn = data.draw(
        st.lists(
            st.tuples(*(st.integers(0, len(records) - 1),) * 2).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=30,
        )
    )

    together = score(match_model, records, drawn * (SCORED_AS_THEY_ARE // len(drawn) + 1))

    for index, pair in enumerate(drawn):
        alone = score(match_model, records, [pair])
        for repeat in range(index, len(together.levels), len(drawn)):
            assert together.levels[repeat].tolist() == alone.levels[0].tolist()
            assert together.weights[repeat].tolist() == alone.weights[0].tolist()
