"""Calendar dates written in any of the usual numeric or spelled-out forms.

Numeric dates are read day first ("01/02/1980" is 1 February), the
Spanish and European convention of most of our sources; a US month-first
date is read as such only when day first is impossible ("02/25/1980").
Two-digit years use a fixed pivot, not today's date, so a value parses the
same way every year: 00-29 are 2000-2029, 30-99 are 1930-1999.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Final

from mdmhub.engine.standardize.text import to_ascii

_CACHE_SIZE = 65536
_PIVOT = 30

_ISO: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d.*)?", re.DOTALL)
# A time of day after the date ("01/02/1980 10:00", "...T10:00:00Z").
_TIME: Final = re.compile(r"(?:[T\s]+|(?<=\d)T)\d{1,2}:\d{2}.*$", re.DOTALL)
_YEAR_FIRST: Final = re.compile(r"(\d{4})[-/.\s](\d{1,2})[-/.\s](\d{1,2})")
_DAY_FIRST: Final = re.compile(r"(\d{1,2})[-/.\s](\d{1,2})[-/.\s](\d{4}|\d{2})")
_DIGITS8: Final = re.compile(r"\d{8}")
_WORDS: Final = re.compile(r"[a-z]+|\d+")


def _numbered(names: str) -> dict[str, int]:
    return {name: number for number, name in enumerate(names.split(), start=1)}


_MONTHS: Final[dict[str, int]] = {
    **_numbered(
        "january february march april may june july august september october november december"
    ),
    **_numbered(
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ),
    **_numbered("jan feb mar apr may jun jul aug sep oct nov dec"),
    **_numbered("ene feb mar abr may jun jul ago sep oct nov dic"),
    "sept": 9,
    "setiembre": 9,
    "set": 9,
}
# Words that may surround a spelled-out date without changing it.
_NOISE: Final = frozenset(
    [
        "de",
        "del",
        "of",
        "the",
        "st",
        "nd",
        "rd",
        "th",
        "o",
        "a",
        "at",
        "las",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "lunes",
        "martes",
        "miercoles",
        "jueves",
        "viernes",
        "sabado",
        "domingo",
    ]
)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        return year + (2000 if year < _PIVOT else 1900)
    return year


def _numeric(text: str) -> date | None:
    if (match := _YEAR_FIRST.fullmatch(text)) is not None:
        year, month, day = match.groups()
        return _make(int(year), int(month), int(day))
    if (match := _DAY_FIRST.fullmatch(text)) is not None:
        first, second, year_digits = match.groups()
        year = _full_year(year_digits)
        return _make(year, int(second), int(first)) or _make(year, int(first), int(second))
    if _DIGITS8.fullmatch(text) is not None:
        # YYYYMMDD, or DDMMYYYY when that cannot be a date.
        return _make(int(text[:4]), int(text[4:6]), int(text[6:])) or _make(
            int(text[4:]), int(text[2:4]), int(text[:2])
        )
    return None


def _spelled(text: str) -> date | None:
    """Read "1 Feb 1980", "February 1, 1980", "1 de febrero de 1980", "1980 Feb 1"."""
    words = [w for w in _WORDS.findall(to_ascii(text).lower()) if w not in _NOISE]
    if len(words) != 3:
        return None
    months = [i for i, w in enumerate(words) if w in _MONTHS]
    if len(months) != 1:
        return None
    month = _MONTHS[words[months[0]]]
    numbers = [w for w in words if w.isdigit()]
    if len(numbers) != 2:
        return None
    day, year = numbers if len(numbers[0]) <= 2 else numbers[::-1]
    if len(day) > 2 or len(year) not in (2, 4):
        return None
    return _make(_full_year(year), month, int(day))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_date(value: str | None) -> date | None:
    """Parse a date, or None when it is not one (including 30 February)."""
    if not value:
        return None
    text = value.strip()
    if (match := _ISO.fullmatch(text)) is not None:
        year, month, day = (int(part) for part in match.groups())
        # "1835-28-07": a year-first date typed day before month; only when month-first is
        # impossible, so a valid ISO date is never reinterpreted.
        return _make(year, month, day) or (_make(year, day, month) if month > 12 else None)
    text = _TIME.sub("", text)
    return _numeric(text) or _spelled(text)
