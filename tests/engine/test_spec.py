from dataclasses import replace
from typing import Any

import pytest

from mdmhub.domain.entities import EntityType
from mdmhub.engine.blocking import block_on
from mdmhub.engine.comparisons import ExactMatch, JaroWinklerBands, Level, NameBands
from mdmhub.engine.spec import MatchModel, Thresholds

GIVEN = NameBands(
    name="given_name",
    feature="given",
    aliases_feature="given_aliases",
    swap_feature="family",
    levels=(Level("exact", m=0.7, u=0.01),),
)
FAMILY = JaroWinklerBands(
    name="family",
    feature="family",
    phonetic_feature="family_phonetic",
    levels=(Level("exact", m=0.8, u=0.003),),
)
EMAIL = ExactMatch(name="email", feature="email", levels=(Level("exact", m=0.7, u=0.0001),))


def model(**changes: Any) -> MatchModel:
    base = MatchModel(
        entity=EntityType.CUSTOMER,
        comparisons=(GIVEN, FAMILY, EMAIL),
        blocking_rules=(block_on("family_phonetic"),),
        thresholds=Thresholds(upper=0.9, lower=0.5),
        probability_two_random_records_match=0.01,
    )
    return replace(base, **changes)


def test_a_model_has_no_derived_features_or_term_frequencies_unless_given() -> None:
    assert model().derived_features == ()
    assert model().term_frequencies == {}


def test_models_differing_only_in_term_frequencies_are_equal_and_hash_alike() -> None:
    plain = model()
    with_frequencies = model(term_frequencies={"family": {"garcia": 0.1}})

    assert with_frequencies == plain
    assert hash(with_frequencies) == hash(plain)


def test_derived_features_are_part_of_a_models_identity() -> None:
    derived = model(derived_features=(("family_phonetic", "family"),))

    assert derived != model()


@pytest.mark.parametrize(
    "changes",
    [
        {"probability_two_random_records_match": 0.02},
        {"comparisons": (GIVEN, FAMILY)},
        {"thresholds": Thresholds(upper=0.95, lower=0.5)},
    ],
    ids=["prior", "comparisons", "thresholds"],
)
def test_models_differing_in_what_scoring_uses_are_not_equal(changes: dict[str, Any]) -> None:
    assert model(**changes) != model()


def test_a_model_lists_every_feature_its_comparisons_read_once_and_sorted() -> None:
    assert model().features() == ("email", "family", "family_phonetic", "given", "given_aliases")
