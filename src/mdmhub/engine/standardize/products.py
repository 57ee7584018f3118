"""Product identifiers, titles and prices.

GTINs come as 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14) and
are one number space: left-padding to 14 digits makes the forms agree.
Titles keep decimals and glue units to their numbers so "1.5 TB" and
"1.5TB" agree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from mdmhub.engine.comparisons import NO_WORDS
from mdmhub.engine.standardize.text import normalize_code, to_ascii

_CACHE_SIZE = 65536

_GTIN_SEPARATORS: Final = re.compile(r"[\s\-.]")
_SPREADSHEET_INT: Final = re.compile(r"(\d+)\.0+")
_GTIN_LENGTHS: Final = frozenset({8, 12, 13, 14})

_THOUSANDS_COMMA: Final = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_COMMA: Final = re.compile(r"(?<=\d),(?=\d)")
# Words of letters and digits; a point survives only inside a number ("2.0", "v1.5").
_TITLE_WORD: Final = re.compile(r"[a-z0-9]*\d(?:\.\d+)+[a-z0-9]*|[a-z0-9]+")
_UNITS: Final = frozenset(
    [
        "gb",
        "tb",
        "mb",
        "kb",
        "ghz",
        "mhz",
        "hz",
        "mah",
        "mp",
        "w",
        "kw",
        "v",
        "mm",
        "cm",
        "m",
        "km",
        "ml",
        "l",
        "cl",
        "g",
        "kg",
        "mg",
        "oz",
        "lb",
        "lbs",
        "ft",
        "in",
    ]
)
_UNIT_SYNONYMS: Final = {
    "gigabyte": "gb",
    "gigabytes": "gb",
    "terabyte": "tb",
    "terabytes": "tb",
    "megapixel": "mp",
    "megapixels": "mp",
    "inch": "in",
    "inches": "in",
    "pulgadas": "in",
    "litros": "l",
    "liters": "l",
    "litres": "l",
}
# Words that sell rather than describe; one source adds them, another not.
_FILLER: Final = frozenset({"new", "nuevo", "nueva", "shipping", "gratis"})
# Second word of a two-word filler -> the first one, dropped with it.
_FILLER_PAIRS: Final = {"new": "brand", "shipping": "free", "gratis": "envio"}

_PRICE: Final = re.compile(r"(?P<sign>-)?\s*(?P<number>\d[\d.,' \u00a0]*)")
_PRICE_GROUPING: Final = re.compile(r"[' \u00a0]")
_PRICE_NUMBER: Final = re.compile(
    r"(?P<int>\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*|\d+)(?:(?P<dec>[.,])(?P<frac>\d+))?"
)


def _gtin_check_ok(digits: str) -> bool:
    """GS1 check digit: weights 3,1,3,... from the right, excluding the check digit."""
    total = 3 * sum(map(int, digits[-2::-2])) + sum(map(int, digits[-3::-2]))
    return (10 - total % 10) % 10 == int(digits[-1])


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_gtin(value: str | None) -> str | None:
    """Return a valid GTIN as 14 digits, or None.

    A wrong check digit means a mistyped code, which would link two
    different products, so it is rejected rather than kept.
    """
    if not value:
        return None
    text = value.strip()
    if (spreadsheet := _SPREADSHEET_INT.fullmatch(text)) is not None:
        text = spreadsheet.group(1)
    digits = _GTIN_SEPARATORS.sub("", text)
    if (
        not digits.isascii()
        or not digits.isdigit()
        or len(digits) not in _GTIN_LENGTHS
        or digits.count("0") == len(digits)
        or not _gtin_check_ok(digits)
    ):
        return None
    return digits.zfill(14)


_VERSION: Final = re.compile(r"v?(?P<major>\d+)(?:\.0+)?")


def version_or_code(token: str) -> str:
    """A title token with "v" and a ".0" minor version dropped: "v2", "2.0" and "2" name one
    version, while "2.5" stays itself. Other codes ("x200", "16gb") are kept as they are."""
    version = _VERSION.fullmatch(token)
    return version.group("major") if version else token


# Words that make another product of the same title: an upgrade is not the full version,
# a deluxe edition not the standard one. Synonyms map to one word.
_EDITIONS: Final = {
    "deluxe": "deluxe",
    "dlx": "deluxe",
    "standard": "standard",
    "std": "standard",
    "professional": "pro",
    "pro": "pro",
    "premium": "premium",
    "premier": "premier",
    "upgrade": "upgrade",
    "upg": "upgrade",
    "upsell": "upgrade",
    "academic": "academic",
    "edu": "academic",
    "education": "academic",
    "educational": "academic",
    "student": "academic",
    "teacher": "academic",
    "home": "home",
    "basic": "basic",
    "plus": "plus",
    "gold": "gold",
    "platinum": "platinum",
    "ultimate": "ultimate",
    "enterprise": "enterprise",
    "server": "server",
    "family": "family",
    "expansion": "expansion",
    "lite": "lite",
    "express": "express",
    "extended": "extended",
    "small": "small",
    "business": "business",
    "suite": "suite",
    "bundle": "bundle",
    "labpack": "labpack",
    "license": "license",
    "oem": "oem",
    "trial": "trial",
    "collection": "collection",
}
_PLATFORMS: Final = {
    "mac": "mac",
    "macintosh": "mac",
    "osx": "mac",
    "macosx": "mac",
    "win": "win",
    "windows": "win",
    "pc": "win",
    "linux": "linux",
    "lnx": "linux",
}


def _variant(title: str | None, words: dict[str, str]) -> str | None:
    if not title:
        return None
    found = {words[t] for t in title.split() if t in words}
    return "|".join(sorted(found)) or NO_WORDS


def editions(title: str | None) -> str | None:
    """The edition words of a normalised title joined by "|" ("deluxe|upgrade"), NO_WORDS
    for none, None without a title."""
    return _variant(title, _EDITIONS)


def platforms(title: str | None) -> str | None:
    """The operating systems a normalised title names ("mac|win"), as `editions` does."""
    return _variant(title, _PLATFORMS)


def normalize_model_number(value: str | None) -> str | None:
    """Uppercase letters and digits only: "WD-40 /B" -> "WD40B"."""
    return normalize_code(value)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_title(value: str | None) -> str | None:
    """Normalise a product title: "Brand NEW 16 GB, 1,5 TB" -> "16gb 1.5tb"."""
    if not value:
        return None
    text = to_ascii(value).lower()
    if "," in text:
        text = _DECIMAL_COMMA.sub(".", _THOUSANDS_COMMA.sub("", text))
    words = _TITLE_WORD.findall(text)
    kept: list[str] = []
    for raw_word in words:
        word = _UNIT_SYNONYMS.get(raw_word, raw_word)
        if word in _FILLER:
            if kept and kept[-1] == _FILLER_PAIRS.get(word):
                kept.pop()
        elif word in _UNITS and kept and kept[-1].replace(".", "").isdigit():
            kept[-1] += word
        else:
            kept.append(word)
    # A title that is nothing but filler is still the title.
    return " ".join(kept or words) or None


def _amount(number: str) -> float | None:
    """Read a number whose thousands and decimal separators may be "," or ".".

    Grouping is recognised by groups of three digits ("1.299,99",
    "1,299.99", "1.000.000"); one separator with exactly three digits after
    it groups thousands ("1.299" is 1299) unless the integer part is 0
    ("0.500" is 0.5): prices rarely carry three decimals.
    """
    match = _PRICE_NUMBER.fullmatch(number)
    if match is None or (match["dec"] is not None and match["dec"] == match["sep"]):
        return None
    integer, fraction = match["int"], match["frac"]
    if match["sep"] is not None and fraction is None and integer.count(match["sep"]) == 1:
        head, tail = integer.split(match["sep"])
        if not head.strip("0"):
            integer, fraction = head, tail
    digits = integer.replace(",", "").replace(".", "")
    return float(f"{digits}.{fraction}" if fraction else digits)


@lru_cache(maxsize=_CACHE_SIZE)
def parse_price(value: str | None) -> float | None:
    """Read a price written with any currency mark and separator convention.

    The text must hold one number; a currency symbol or code may surround
    it ("$1,299.99", "1.299,99 €", "USD 45.00"). Anything else is None.
    """
    if not value:
        return None
    match = _PRICE.search(value)
    if match is None:
        return None
    before, after = value[: match.start()], value[match.end() :]
    if any(ch.isdigit() or ch in ".," for ch in before + after):
        return None
    amount = _amount(_PRICE_GROUPING.sub("", match["number"]).rstrip(".,"))
    if amount is None:
        return None
    return -amount if match["sign"] else amount
