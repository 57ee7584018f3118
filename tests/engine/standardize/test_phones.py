import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.phones import _fast_e164, normalize_phone


def _reference(text: str, region: str) -> str | None:
    """What phonenumbers alone answers, to hold the fast path to it."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+34 600 123 456", "ES", "+34600123456"),
        ("600123456", "ES", "+34600123456"),
        ("(0034) 600-12-34-56", "ES", "+34600123456"),
        ("0034600123456", "ES", "+34600123456"),
        ("91 123 45 67", "ES", "+34911234567"),
        ("+1 (415) 555-2671", "ES", "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "us", "+14155552671"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 20 7946 0018", "ES", "+442079460018"),
    ],
)
def test_writes_numbers_in_e164(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


def test_default_region_is_spain() -> None:
    assert normalize_phone("600 12 34 56") == "+34600123456"


def test_reads_spreadsheet_floats() -> None:
    assert normalize_phone("600123456.0") == "+34600123456"


def test_restores_a_dropped_plus_when_the_result_is_a_valid_number() -> None:
    assert normalize_phone("34600123456") == "+34600123456"


def test_00_is_not_an_international_prefix_in_the_usa() -> None:
    assert normalize_phone("0034600123456", "US") is None


@pytest.mark.parametrize("raw", [None, "", "  ", "abc", "12", "n/a", "+", "0000"])
def test_returns_none_for_impossible_numbers(raw: str | None) -> None:
    assert normalize_phone(raw) is None


def test_returns_none_for_an_unknown_region() -> None:
    assert normalize_phone("600123456", "XX") is None


@given(st.text(), st.sampled_from(["ES", "US", "GB", "MX", "CO", "XX"]))
def test_never_raises_and_answers_plus_and_digits(raw: str, region: str) -> None:
    out = normalize_phone(raw, region)
    if out is not None:
        assert out[0] == "+" and out[1:].isdigit()
        assert normalize_phone(out, region) == out


@given(
    st.sampled_from(["", "+34", "0034", "+34 ", "+1", "00", "+"]),
    st.text(alphabet="0123456789", min_size=8, max_size=11),
    st.sampled_from(["ES", "US", "CA", "GB"]),
)
def test_fast_path_agrees_with_phonenumbers(prefix: str, digits: str, region: str) -> None:
    text = prefix + digits
    fast = _fast_e164(text, region)
    if fast is not None:
        assert fast == _reference(text, region)
