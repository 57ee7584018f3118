import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.countries import normalize_country


@pytest.mark.parametrize(
    "written", ["ES", "es", "ESP", "España", "ESPAÑA", "espana", "Spain", "Kingdom of Spain"]
)
def test_every_way_of_writing_spain_standardises_to_its_iso_code(written: str) -> None:
    assert normalize_country(written) == "ES"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("United Kingdom", "GB"),
        ("Reino Unido", "GB"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Estados Unidos", "US"),
        ("EE.UU.", "US"),
        ("México", "MX"),
        ("Alemania", "DE"),
        ("Deutschland", "DE"),
        ("Países Bajos", "NL"),
    ],
)
def test_a_country_name_in_english_spanish_or_its_own_language_gives_its_iso_code(
    written: str, code: str
) -> None:
    assert normalize_country(written) == code


def test_an_unknown_country_is_kept_as_a_bare_code_so_equal_values_still_agree() -> None:
    assert normalize_country("Narnia!") == normalize_country("narnia") == "NARNIA"


@pytest.mark.parametrize("written", [None, "", "  ", "--"])
def test_a_blank_country_is_missing(written: str | None) -> None:
    assert normalize_country(written) is None


@given(st.text())
def test_never_raises_and_gives_uppercase_letters_and_digits(written: str) -> None:
    code = normalize_country(written)
    assert code is None or (code.isalnum() and code.isascii() and code == code.upper())


@given(st.sampled_from(["ES", "España", "Spain", "GB", "Reino Unido", "United Kingdom"]))
def test_standardising_a_code_again_gives_the_same_code(written: str) -> None:
    code = normalize_country(written)
    assert normalize_country(code) == code
