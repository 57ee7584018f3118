import numpy as np
import pytest

from mdmhub.domain.entities import EntityType
from mdmhub.engine.comparisons import JaroWinklerBands, NameBands, PairColumns, RareWordBands
from mdmhub.engine.default_models import CUSTOMER, DEFAULT_MODELS
from mdmhub.engine.explanation import explain
from mdmhub.engine.spec import MatchModel, Thresholds
from mdmhub.engine.standardize.records import standardize
from tests.factories import person

MODELS = list(DEFAULT_MODELS.values())


def model_id(model: MatchModel) -> str:
    return model.entity.value


# Thresholds


@pytest.mark.parametrize(("upper", "lower"), [(0.95, 0.5), (0.5, 0.5), (0.999, 0.001)])
def test_thresholds_accept_0_below_lower_at_or_below_upper_below_1(
    upper: float, lower: float
) -> None:
    assert Thresholds(upper=upper, lower=lower) == Thresholds(upper, lower)


def test_thresholds_reject_lower_above_upper() -> None:
    with pytest.raises(ValueError, match="lower <= upper"):
        Thresholds(upper=0.5, lower=0.9)


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        (0.9, 0.0),
        (0.9, -0.1),
        (1.0, 0.5),
        (1.5, 0.5),
        (0.0, 0.0),
        (float("nan"), 0.5),
        (0.9, float("nan")),
    ],
)
def test_thresholds_reject_values_outside_the_open_unit_interval(
    upper: float, lower: float
) -> None:
    with pytest.raises(ValueError, match="0 < lower <= upper < 1"):
        Thresholds(upper=upper, lower=lower)


# default models


def test_every_entity_type_has_a_default_model_for_itself() -> None:
    assert set(DEFAULT_MODELS) == set(EntityType)
    assert all(model.entity is entity for entity, model in DEFAULT_MODELS.items())


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_starts_a_pair_below_even_odds(model: MatchModel) -> None:
    assert model.prior_weight < 0


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_has_at_least_one_blocking_rule(model: MatchModel) -> None:
    assert len(model.blocking_rules) >= 1


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_has_probabilities_strictly_between_0_and_1(model: MatchModel) -> None:
    levels = [level for c in model.comparisons for level in (*c.levels, c.else_level)]

    assert all(0 < level.m <= 1 and 0 < level.u <= 1 for level in levels)


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_rewards_exact_agreement_and_penalises_disagreement(
    model: MatchModel,
) -> None:
    for comparison in model.comparisons:
        exact, other = comparison.levels[0], comparison.else_level
        assert exact.m > exact.u, comparison.name
        assert other.m < other.u, comparison.name


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_default_model_names_its_comparisons_uniquely(model: MatchModel) -> None:
    names = [c.name for c in model.comparisons]

    assert len(names) == len(set(names))


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_default_comparison_has_one_condition_per_declared_level(model: MatchModel) -> None:
    """Each comparison assigns without error and can reach its exact and else levels.

    Texts compared word by word differ by many words on both sides to reach else."""
    left = np.array(["1980-05-17", "1980-05-17"], dtype=object)
    right = np.array(["1980-05-17", "zzzz"], dtype=object)
    columns = {name: PairColumns(left, right) for name in model.features()}
    one, other = (
        " ".join(c * n for c in letters for n in (3, 4))
        for letters in ("abcdefghijklm", "nopqrstuvwxyz")
    )
    for comparison in model.comparisons:
        if isinstance(comparison, RareWordBands):
            columns[comparison.feature] = PairColumns(
                np.array([one, one], dtype=object), np.array([one, other], dtype=object)
            )

    for comparison in model.comparisons:
        indexes = comparison.assign(columns)
        assert indexes.tolist() == [1, len(comparison.all_levels) - 1], comparison.name


# default models and the standardisers that feed them

FULL_ATTRIBUTES = {
    EntityType.CUSTOMER: {
        **person(),
        "organization_name": "Acme S.L.",
        "national_id": "12345678Z",
        "gender": "M",
    },
    EntityType.PRODUCT: {
        "name": "Samsung Galaxy S21 128 GB",
        "brand": "Samsung",
        "model_number": "SM-G991B",
        "gtin": "4006381333931",
        "sku": "AB-1",
        "price": "799,00 €",
    },
    EntityType.ADDRESS: {
        "address_line1": "Calle Mayor 5",
        "postal_code": "28013",
        "locality": "Madrid",
        "country": "ES",
    },
}


def blocking_features(model: MatchModel) -> set[str]:
    return {feature for rule in model.blocking_rules for feature in rule.features}


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_feature_a_default_model_reads_or_blocks_on_is_made_by_its_standardiser(
    model: MatchModel,
) -> None:
    features = standardize(model.entity, FULL_ATTRIBUTES[model.entity], "ES")

    assert {*model.features(), *blocking_features(model)} <= features.keys()


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_derived_feature_derives_from_a_feature_the_model_compares(model: MatchModel) -> None:
    for derived, base in model.derived_features:
        assert base in model.features(), derived


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_a_blocking_feature_no_comparison_reads_is_declared_derived(model: MatchModel) -> None:
    """Training must know what such a feature says, or it estimates m on agreeing blocks."""
    declared = {derived for derived, _ in model.derived_features}

    assert blocking_features(model) - set(model.features()) <= declared


def test_the_customer_given_name_reads_aliases_and_swaps_with_the_family_name() -> None:
    [given] = [c for c in CUSTOMER.comparisons if c.name == "given_name"]

    assert isinstance(given, NameBands)
    assert given.features() == ("given", "given_aliases", "family")
    assert [level.name for level in given.levels][:3] == [
        "exact",
        "nickname",
        "swapped_with_family_name",
    ]


@pytest.mark.parametrize(
    ("feature", "adjusted"),
    [("given", True), ("family", True), ("locality", True), ("email", False), ("phone", False)],
)
def test_the_customer_model_adjusts_names_and_towns_by_term_frequency(
    feature: str, adjusted: bool
) -> None:
    [comparison] = [c for c in CUSTOMER.comparisons if c.feature == feature]

    assert comparison.term_frequency is adjusted


def test_the_customer_family_name_has_a_phonetic_level() -> None:
    [family] = [c for c in CUSTOMER.comparisons if c.name == "family"]

    assert isinstance(family, JaroWinklerBands)
    assert family.phonetic_feature == "family_phonetic"
    assert "phonetic" in [level.name for level in family.levels]


def test_the_customer_family_name_reads_the_given_name_for_swapped_names() -> None:
    [family] = [c for c in CUSTOMER.comparisons if c.name == "family"]

    assert isinstance(family, JaroWinklerBands)
    assert family.features() == ("family", "family_phonetic", "given")
    assert family.levels[1].name == "swapped_with_given_name"


def test_maria_dolores_and_maria_carmen_are_no_given_name_match() -> None:
    left = standardize(EntityType.CUSTOMER, {"given_name": "María Dolores"}, "ES")
    right = standardize(EntityType.CUSTOMER, {"given_name": "María Carmen"}, "ES")

    [given] = [c for c in explain(CUSTOMER, left, right).comparisons if c.name == "given_name"]

    assert given.level not in {"exact", "nickname"}


MADRID = {
    "address_line1": "Calle Mayor 12",
    "postal_code": "28013",
    "locality": "Madrid",
    "country": "ES",
}


def address_decision(left: dict[str, str], right: dict[str, str]) -> str:
    model = DEFAULT_MODELS[EntityType.ADDRESS]
    features = [standardize(EntityType.ADDRESS, a, "ES") for a in (left, right)]
    return explain(model, *features).decision


def test_before_training_two_memory_sizes_of_one_laptop_are_no_product_match() -> None:
    """The title words, editions and brand written into the title overlap the title and
    brand comparisons: counted again before training, they linked a catalogue's variants."""
    laptop = {"name": "LENOVO IDEAPAD 96S 8GB 256GB", "brand": "LENOVO", "price": "408,80"}
    bigger = {**laptop, "name": "LENOVO IDEAPAD 96S 16GB 512GB", "price": "508,80"}
    features = [standardize(EntityType.PRODUCT, p, "ES") for p in (laptop, bigger)]

    assert explain(DEFAULT_MODELS[EntityType.PRODUCT], *features).decision == "no-match"


def test_two_identical_addresses_link() -> None:
    assert address_decision(MADRID, MADRID) == "match"


def test_one_address_written_by_two_sources_links() -> None:
    written_by_the_shop = {
        "address_line1": "C/ Mayor, 12",
        "postal_code": "28013",
        "locality": "madrid",
        "country": "España",
    }

    assert address_decision(MADRID, written_by_the_shop) == "match"


def test_two_houses_of_one_street_do_not_link() -> None:
    assert address_decision(MADRID, {**MADRID, "address_line1": "Calle Mayor 14"}) == "no-match"
