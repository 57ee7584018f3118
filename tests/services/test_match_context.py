from mdmhub.domain.entities import EntityType
from mdmhub.engine.default_models import DEFAULT_MODELS
from mdmhub.services.match_context import MatchContext, Standardised

CONTEXT = MatchContext(DEFAULT_MODELS[EntityType.CUSTOMER], "ES", 200)


def test_standardised_features_are_found_by_the_very_row() -> None:
    row = {"given_name": "José"}
    standardised = Standardised([row], [{"given": "jose"}])

    assert standardised.features_of(row) == {"given": "jose"}


def test_an_equal_row_that_is_another_dict_has_no_standardised_features() -> None:
    standardised = Standardised([{"given_name": "José"}], [{"given": "jose"}])

    assert standardised.features_of({"given_name": "José"}) is None


def test_standardising_takes_known_features_for_the_very_row() -> None:
    row = {"given_name": "José"}
    known = Standardised([row], [{"given": "known"}])

    assert CONTEXT.standardize(EntityType.CUSTOMER, row, known) == {"given": "known"}


def test_standardising_an_equal_row_ignores_features_known_for_another_dict() -> None:
    known = Standardised([{"given_name": "José"}], [{"given": "known"}])
    row = {"given_name": "José"}

    assert CONTEXT.standardize(EntityType.CUSTOMER, row, known) == CONTEXT.standardize(
        EntityType.CUSTOMER, row
    )
