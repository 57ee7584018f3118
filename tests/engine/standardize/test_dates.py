from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdmhub.engine.standardize.dates import parse_date

FEB_1_1980 = date(1980, 2, 1)
MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)


@pytest.mark.parametrize(
    "raw",
    [
        "1980-02-01",
        " 1980-02-01 ",
        "19800201",
        "1980/02/01",
        "1980.2.1",
        "1980-02-01T10:00:00",
        "1980-02-01T10:00:00Z",
        "1980-02-01 10:00",
        "01/02/1980 10:00:00",
        "1 Feb 1980",
        "1 February 1980",
        "February 1, 1980",
        "Monday, February 1st, 1980",
        "1 de febrero de 1980",
        "1º de Febrero de 1980",
        "01-FEB-80",
        "1980 Feb 1",
    ],
)
def test_reads_the_usual_formats(raw: str) -> None:
    assert parse_date(raw) == FEB_1_1980


@pytest.mark.parametrize("raw", ["01/02/1980", "1-2-1980", "01.02.1980", "01021980"])
def test_reads_numeric_dates_day_first(raw: str) -> None:
    assert parse_date(raw) == FEB_1_1980


def test_reads_month_first_only_when_day_first_is_impossible() -> None:
    assert parse_date("02/25/1980") == date(1980, 2, 25)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01-02-80", date(1980, 2, 1)),
        ("01-02-29", date(2029, 2, 1)),
        ("01-02-30", date(1930, 2, 1)),
        ("01-02-00", date(2000, 2, 1)),
    ],
)
def test_two_digit_years_pivot_at_30(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "  ",
        "xx",
        "1980-02-30",
        "30/02/1980",
        "13/13/2000",
        "feb 1980",
        "1 2 3 4",
        "0000-01-01",
        "1980-02-01 garbage",
        "31 de febrero de 1980",
    ],
)
def test_returns_none_for_invalid_dates(raw: str | None) -> None:
    assert parse_date(raw) is None


@given(st.text())
def test_never_raises(raw: str) -> None:
    parse_date(raw)


@given(st.dates())
def test_round_trips_iso_format(value: date) -> None:
    assert parse_date(value.isoformat()) == value


@given(st.dates(min_value=date(1000, 1, 1)))
def test_round_trips_day_first_and_compact_formats(value: date) -> None:
    assert parse_date(f"{value.day:02d}/{value.month:02d}/{value.year}") == value
    assert parse_date(f"{value.year}{value.month:02d}{value.day:02d}") == value
    month = MONTHS_ES.split()[value.month - 1]
    assert parse_date(f"{value.day} de {month} de {value.year}") == value


def test_a_year_first_date_with_day_and_month_swapped_is_read_day_first() -> None:
    assert parse_date("1835-28-07") == date(1835, 7, 28)


def test_a_valid_iso_date_is_never_reinterpreted() -> None:
    assert parse_date("1835-07-08") == date(1835, 7, 8)
