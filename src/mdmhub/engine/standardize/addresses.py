"""Street lines, house numbers, postcodes and localities, Spanish and English.

The same street is written "Calle 12 # 34-56", "Cl. 12 No. 34-56" and
"CALLE 12 N° 34 - 56"; after these functions all three read the same.

Street-type abbreviations are mapped by position where they are ambiguous:
Spanish types lead the line ("Av. Libertador", "C/ Mayor", "Pl. Mayor", and the
cadastre's codes "CL", "PS", "CM", "RD"), English types trail it ("Fifth Ave", "Baker
Pl", "Oak Cl", "Mill Rd"), and a leading "St" is Saint ("St Mary Rd"). "Avenue"
stays "avenue" rather than becoming "avenida": the two never name the same street,
and translating would only make unrelated streets look alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from mdmhub.engine.standardize.text import normalize_code, normalize_text, to_ascii

_CACHE_SIZE = 65536


def _table(groups: dict[str, str]) -> dict[str, str]:
    """Expand {"calle": "cl cll"} into {"calle": "calle", "cl": "calle", ...}."""
    return {
        alias: canonical
        for canonical, aliases in groups.items()
        for alias in (canonical, *aliases.split())
    }


# Unambiguous at any position.
_STREET_TYPES: Final = _table(
    {
        "calle": "cll clle",
        "carrera": "cra kra kr",
        "avenida": "avda avd",
        "diagonal": "dg diag",
        "transversal": "tv trans transv",
        "paseo": "pso",
        "plaza": "pza plz",
        "carretera": "ctra",
        "ronda": "rda",
        "travesia": "trva trv",
        "glorieta": "gta",
        "camino": "cmno cno",
        "pasaje": "psje",
        "urbanizacion": "urb",
        "boulevard": "blvd bulevar blvr",
        "street": "str",
        "avenue": "",
        "drive": "drv",
        "lane": "ln",
        "court": "",
        "place": "",
        "close": "",
        "gardens": "gdns",
        "crescent": "cres",
        "terrace": "tce",
        "square": "sq",
        "parade": "pde",
        "highway": "hwy",
        "parkway": "pkwy",
    }
)
# Only as the first word, where Spanish puts the street type.
_LEADING_TYPES: Final = {
    "c": "calle",
    "cl": "calle",
    "ps": "paseo",
    "cm": "camino",
    "rd": "ronda",
    "cr": "carrera",
    "tr": "transversal",
    "av": "avenida",
    "ave": "avenida",
    "po": "paseo",
    "pl": "plaza",
    "ak": "avenida carrera",
    "ac": "avenida calle",
}
# Only after the first word, where English puts the street type.
_TRAILING_TYPES: Final = {
    "st": "street",
    "rd": "road",
    "cl": "close",
    "dr": "drive",
    "av": "avenue",
    "ave": "avenue",
    "pl": "place",
    "ct": "court",
}
# Words announcing a house number: "No. 5", "nº 5", "# 5".
_NUMBER_MARKERS: Final = frozenset({"no", "n", "nr", "nro", "num", "numero"})
_LOCALITY_WORDS: Final = {
    "st": "saint",
    "ste": "sainte",
    "sta": "santa",
    "sto": "santo",
    "ft": "fort",
    "mt": "mount",
    "pto": "puerto",
    "gral": "general",
}

_SPREADSHEET_INT: Final = re.compile(r"(\d+)\.0+")
_TOKEN: Final = re.compile(r"\d+[a-z]?(?:-\d+[a-z]?)?|[a-z0-9]+|[#,]")
_NUMBER_RANGE: Final = re.compile(r"(\d)\s*-\s*(\d)")
_SEPARATORS: Final = frozenset({"#", ","})
_HOUSE_NUMBER: Final = re.compile(r"\d+[a-z]?(?:-\d+[a-z]?)?")


def _ordinal_sign(value: str) -> str:
    """Read "°" (degree) as "º" (ordinal), its look-alike in "N° 5"; unidecode says "deg"."""
    return value.replace("°", "º") if "°" in value else value


def _without_markers(words: list[str]) -> list[str]:
    """Drop "s/n" (no number) and markers before a number ("No. 5", "No. No. 5")."""
    kept: list[str] = []
    for word in reversed(words):
        if word in _NUMBER_MARKERS and kept and kept[-1][0].isdigit():
            continue
        kept.append(word)
    kept.reverse()
    out: list[str] = []
    for word in kept:
        if word == "n" and out and out[-1] == "s":
            out.pop()
        else:
            out.append(word)
    return out


def _street_words(words: list[str]) -> list[str]:
    """Street types in canonical spelling, by position where they are ambiguous.

    A leading house number ("12 Av. Foch") moves the leading position on.
    """
    out: list[str] = []
    start = 1 if words and words[0].isdigit() else 0
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if i == start and word in _LEADING_TYPES and following != "box":
            out.append(_LEADING_TYPES[word])
        elif i > start and word in _TRAILING_TYPES:
            out.append(_TRAILING_TYPES[word])
        else:
            out.append(_STREET_TYPES.get(word, word))
    return out


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_street(value: str | None) -> str | None:
    """Normalise a street line with street types in one canonical spelling."""
    text = normalize_text(_ordinal_sign(value) if value else value)
    if text is None:
        return None
    return " ".join(_street_words(_without_markers(text.split()))) or None


def _tokens(value: str) -> list[str]:
    """Lowercase ASCII tokens keeping house numbers ("34-56", "12b"), "#" and ","."""
    text = to_ascii(_ordinal_sign(value)).lower()
    if "-" in text:
        text = _NUMBER_RANGE.sub(r"\1-\2", text)
    return _TOKEN.findall(text)


def _street(tokens: list[str]) -> str | None:
    return normalize_street(" ".join(t for t in tokens if t not in _SEPARATORS))


def _is_number(token: str) -> bool:
    return _HOUSE_NUMBER.fullmatch(token) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def split_house_number(value: str | None) -> tuple[str | None, str | None]:
    """Split "12 Main St." into ("main street", "12"), "Calle Mayor 5, 2º B" too.

    The number is looked for, in order: leading ("12 Main St"), after a
    marker ("No. 5", "# 34-56"), last in the first comma part ("Calle
    Mayor 5"), first in the second part ("Calle Mayor, 5"). What follows
    the number (floor, door) is dropped. A lone number after a street type
    is the street's name, not a house number ("Calle 12").
    """
    if not value:
        return None, None
    tokens = _tokens(value)
    if not tokens:
        return None, None
    if len(tokens) > 1 and _is_number(tokens[0]) and tokens[1][0].isalpha():
        end = tokens.index(",") if "," in tokens else len(tokens)
        return _street(tokens[1:end]), tokens[0]
    for i, token in enumerate(tokens[:-1]):
        if (token == "#" or token in _NUMBER_MARKERS) and _is_number(tokens[i + 1]):
            return _street(tokens[:i]), tokens[i + 1]
    comma = tokens.index(",") if "," in tokens else len(tokens)
    first, rest = tokens[:comma], tokens[comma + 1 :]
    if first and _is_number(first[-1]) and not _names_street(first[:-1]):
        return _street(first[:-1]), first[-1]
    if rest and _is_number(rest[0]):
        return _street(first), rest[0]
    return _street(tokens), None


def _names_street(words: list[str]) -> bool:
    """True when a following number must be the street's name: "Calle" (12)."""
    return len(words) == 1 and (words[0] in _STREET_TYPES or words[0] in _LEADING_TYPES)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_postcode(value: str | None) -> str | None:
    """Uppercase letters and digits only: "sw1a 1aa" -> "SW1A1AA".

    Spreadsheets store numeric postcodes as floats ("8001.0"); the ".0" is
    cut. The lost leading zero cannot be restored without the country.
    """
    if not value:
        return None
    text = value.strip()
    if (spreadsheet := _SPREADSHEET_INT.fullmatch(text)) is not None:
        text = spreadsheet.group(1)
    return normalize_code(text)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_locality(value: str | None) -> str | None:
    """Normalise a town name, spelling out abbreviations ("Sta. Cruz").

    Articles and prefixes ("La Coruña", "San Sebastián") are kept: they
    are part of the name, and dropping them would merge different towns.
    """
    text = normalize_text(value)
    if text is None:
        return None
    return " ".join(_LOCALITY_WORDS.get(word, word) for word in text.split())
