"""Phone numbers to E.164, the one form in which two writings of a number agree."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_CACHE_SIZE = 65536

_SEPARATORS: Final = re.compile(r"[\s\-./()]+")
# Spreadsheets turn a phone column into floats: "600123456.0".
_FLOAT: Final = re.compile(r"(\+?\d+)\.0+")
_DIGIT: Final = re.compile(r"\d")
_COMPACT: Final = re.compile(r"(\+|00)?(\d+)")

# phonenumbers costs ~20 µs a number; the commonest shapes are settled
# without it. Per country code: national significant number length and the
# digits it may start with, chosen so that the answer is always the one
# phonenumbers gives (no national prefix to strip, length always possible;
# the tests hold the two paths equal).
_FAST_SHAPES: Final[dict[str, tuple[int, str]]] = {"34": (9, "6789"), "1": (10, "23456789")}
_REGION_CODES: Final[dict[str, str]] = {"ES": "34", "US": "1", "CA": "1"}


@lru_cache(maxsize=1024)
def _dials_00(region: str) -> bool:
    """True where "00" starts an international number (Spain, not the USA)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return metadata is not None and metadata.international_prefix == "00"


def _fast_e164(text: str, region: str) -> str | None:
    """E.164 for an unambiguous Spanish or North American number, else None."""
    match = _COMPACT.fullmatch(_SEPARATORS.sub("", text))
    if match is None:
        return None
    prefix, digits = match.groups()
    if prefix == "00" and not _dials_00(region):
        return None
    if prefix:
        for country, (length, starts) in _FAST_SHAPES.items():
            national = digits[len(country) :]
            if digits.startswith(country) and len(national) == length and national[0] in starts:
                return f"+{digits}"
        return None
    home = _REGION_CODES.get(region)
    if home is None:
        return None
    length, starts = _FAST_SHAPES[home]
    return f"+{home}{digits}" if len(digits) == length and digits[0] in starts else None


def _parse_e164(text: str, region: str) -> str | None:
    """E.164 by phonenumbers, or None when the text is no possible number.

    A national reading that fails gets a second chance as an international
    number missing its "+" (spreadsheets drop it: "34600123456"), but only
    if that reading is a valid number, not merely one of possible length.
    """
    try:
        national = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(national):
            return str(phonenumbers.format_number(national, PhoneNumberFormat.E164))
    except NumberParseException:
        pass
    if text.startswith("+"):
        return None
    try:
        international = phonenumbers.parse(f"+{text}", None)
    except NumberParseException:
        return None
    if phonenumbers.is_valid_number(international):
        return str(phonenumbers.format_number(international, PhoneNumberFormat.E164))
    return None


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_phone(value: str | None, default_region: str = "ES") -> str | None:
    """Write a phone number in E.164 ("+34600123456").

    `default_region` says which country a number without a country code
    belongs to; international prefixes ("+", "00" in Spain) override it.
    """
    if not value:
        return None
    text = value.strip()
    if (spreadsheet := _FLOAT.fullmatch(text)) is not None:
        text = spreadsheet.group(1)
    if _DIGIT.search(text) is None:
        return None
    region = default_region.upper()
    return _fast_e164(text, region) or _parse_e164(text, region)
