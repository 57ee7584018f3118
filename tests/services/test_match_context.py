from mdmhub.services.match_context import Standardised


def test_standardised_features_are_found_by_the_very_row() -> None:
    row = {"given_name": "José"}
    standardised = Standardised([row], [{"given": "jose"}])

    assert standardised.features_of(row) == {"given": "jose"}


def test_an_equal_row_that_is_another_dict_has_no_standardised_features() -> None:
    standardised = Standardised([{"given_name": "José"}], [{"given": "jose"}])

    assert standardised.features_of({"given_name": "José"}) is None
