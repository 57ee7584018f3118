"""Email addresses: one lowercase, syntactically valid form, or nothing.

Addresses are lowercased whole. The local part is case-sensitive in
theory, but no mainstream provider treats it so, and sources disagree on
case far more often than two people differ only by it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

_CACHE_SIZE = 65536
_MAX_LENGTH = 254

# email_validator costs ~25 µs an address. Plain ASCII addresses (nearly
# all of them) are checked by this regex instead: a strict subset of what
# the validator accepts, with the same result (the tests hold them equal).
# "--" is left to the validator because of IDNA ("xn--" labels).
_PLAIN: Final = re.compile(
    r"[a-z0-9_+%-]+(?:\.[a-z0-9_+%-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?P<tld>[a-z](?:[a-z0-9-]{0,61}[a-z])?)"
)
_SPECIAL_USE: Final = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def _is_plain(address: str) -> bool:
    match = _PLAIN.fullmatch(address)
    return (
        match is not None
        and len(address) <= _MAX_LENGTH
        and "--" not in address
        and match.group("tld") not in _SPECIAL_USE
    )


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_email(value: str | None) -> str | None:
    """Return the address lowercased if its syntax is valid, else None.

    Only syntax is checked: a DNS lookup would make the engine impure, slow
    and dependent on the network.
    """
    if not value:
        return None
    address = value.strip().lower().removeprefix("mailto:")
    if _is_plain(address):
        return address
    if "@" not in address:
        return None
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None
