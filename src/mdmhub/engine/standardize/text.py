"""Text normalisation shared by every standardiser.

Matching compares values written by different systems and people, so the
canonical form forgets everything that varies without meaning: Unicode
compatibility forms, accents, case, punctuation and spacing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_CACHE_SIZE = 65536

# Apostrophes join rather than split ("O'Brien" and "OBrien" must agree), so
# they are deleted before the rest of the punctuation turns into spaces.
_APOSTROPHES = re.compile(r"['`]")
_NON_ALNUM_LOWER = re.compile(r"[^a-z0-9]+")
_NON_ALNUM_UPPER = re.compile(r"[^A-Z0-9]+")


def to_ascii(value: str) -> str:
    """Fold to ASCII so "José", "José" (combining accent) and full-width "JOSE" agree.

    NFKC first turns compatibility characters (full-width letters, ligatures,
    ordinal indicators) into plain ones that unidecode then transliterates.
    ASCII input, by far the common case, skips both.
    """
    if value.isascii():
        return value
    return unidecode(unicodedata.normalize("NFKC", value))


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_text(value: str | None) -> str | None:
    """Reduce free text to lowercase ASCII words separated by single spaces.

    Returns None when nothing alphanumeric is left, so callers can treat
    "missing" and "blank or junk" the same way.
    """
    if not value:
        return None
    folded = to_ascii(value).lower()
    if "'" in folded or "`" in folded:
        folded = _APOSTROPHES.sub("", folded)
    return _NON_ALNUM_LOWER.sub(" ", folded).strip() or None


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_code(value: str | None) -> str | None:
    """Keep only uppercase letters and digits of an identifier.

    Ids and codes are written with arbitrary separators ("12.345.678-K",
    "12345678 k"); the separators never carry meaning, the characters do.
    """
    if not value:
        return None
    return _NON_ALNUM_UPPER.sub("", to_ascii(value).upper()) or None
