"""Countries as ISO 3166-1 alpha-2 codes, whatever name or code a source wrote.

Sources write "ES", "ESP", "España", "Spain" or "SPAIN" for one country; compared
as written, two records of the same address disagree on it. `pycountry` holds the
ISO codes and names and, through its gettext catalogues, the names in other
languages; the hub's languages come first, so a name is read as its speakers mean it.
"""

from __future__ import annotations

import gettext
from functools import cache, lru_cache
from typing import Final

import pycountry

from mdmhub.engine.standardize.text import normalize_code, normalize_text

_CACHE_SIZE = 4096

LANGUAGES: Final = ("en", "es", "ca", "gl", "eu", "pt", "fr", "it", "de")
"""Languages whose country names are read, in order of precedence: English and Spanish
first (the hub's data), then the other languages of Spain and its neighbours."""

_COMMON_NAMES: Final = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "inglaterra": "GB",
    "escocia": "GB",
    "gales": "GB",
    "gran bretana": "GB",
    "eeuu": "US",
    "ee uu": "US",
    "america": "US",
}
"""Names people write that ISO does not list: the nations of the United Kingdom, "UK"
(reserved by ISO, never assigned) and the Spanish abbreviation of the United States."""


def _names(country: object) -> list[str]:
    return [
        name
        for attribute in ("name", "official_name", "common_name")
        if isinstance(name := getattr(country, attribute, None), str)
    ]


@cache
def _country_table() -> dict[str, str]:
    """Normalised name or code -> alpha-2; built once, on first use (it reads a catalogue
    per language)."""
    table: dict[str, str] = {}
    countries = list(pycountry.countries)
    for country in countries:
        for code in (country.alpha_2, country.alpha_3):
            table.setdefault(code.lower(), country.alpha_2)
    for language in LANGUAGES:
        translate = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        ).gettext
        for country in countries:
            for name in _names(country):
                key = normalize_text(translate(name))
                if key:
                    table.setdefault(key, country.alpha_2)
    for name, code in _COMMON_NAMES.items():
        table.setdefault(name, code)
    return table


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_country(value: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or code; an unknown value as a bare code, so
    two sources writing the same unknown value still agree."""
    key = normalize_text(value)
    if key is None:
        return None
    return _country_table().get(key) or normalize_code(value)
