"""Finding a customer from what an agent types: a probe record scored like any other record.

The search box (`q`) takes whatever the customer says first: an email, a phone
number in any format, a national id, or a name. The probe then goes through the
same standardisers, blocking keys and Fellegi–Sunter scores as the matcher, so a
misspelt name or a phone written another way still finds the person.
"""

import re
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein

from mdmhub.engine.blocking import block_on
from mdmhub.engine.scoring import ScoredPairs, feature_columns, score_pairs
from mdmhub.engine.spec import MatchModel

_NATIONAL_ID = re.compile(r"^(?:[XYZ]?\d{7,8}[A-Z]|[A-Z]\d{7}[A-Z0-9])$", re.IGNORECASE)
"""Spanish DNI/NIE and CIF shapes: what an agent types as an id rather than a phone."""
_PHONE = re.compile(r"^[\d\s().\-/+]{6,}$")
"""Digits and the separators people write them with, a country code in brackets included."""


def probe_attributes(q: str | None, fields: Mapping[str, str | None]) -> dict[str, str]:
    """Canonical attributes from the search box and the explicit fields (which win)."""
    probe: dict[str, str] = {}
    text = (q or "").strip()
    if text:
        compact = re.sub(r"[\s.\-]", "", text)
        if "@" in text:
            probe["email"] = text
        elif _NATIONAL_ID.match(compact):
            probe["national_id"] = compact
        elif _PHONE.match(text) and sum(c.isdigit() for c in text) >= 6:
            probe["phone"] = text
        else:
            probe["full_name"] = text
    for attribute, value in fields.items():
        if value and value.strip():
            probe[attribute] = value.strip()
    if "given_name" in probe or "family_name" in probe:
        probe.pop("full_name", None)
    return probe


WIDENED_RULE = block_on("given_phonetic", "family_phonetic")
"""The rule a name search widens: a typo in a family name (Sott for Scott, Navatro for
Navarro) changes its phonetic code, but seldom the code's first letter."""


def widened_prefix(
    model: MatchModel, probe: Mapping[str, str], candidates: Sequence[Mapping[str, str]]
) -> str | None:
    """The start of the keys to read as well, when the search looks like a misspelt family
    name: no candidate bears the family name searched for, so the name's own keys may have
    missed the person. The keys of `WIDENED_RULE` whose family code starts with the same
    letter; None when the model has no such rule or the search names no given and family
    name."""
    family, code = probe.get("family"), probe.get("family_phonetic")
    if WIDENED_RULE not in model.blocking_rules or not family or not code:
        return None
    if any(candidate.get("family") == family for candidate in candidates):
        return None
    return WIDENED_RULE.key({**probe, "family_phonetic": code[0]})


def close_in_spelling(
    probe: Mapping[str, str], keys_by_record: Mapping[int, list[str]]
) -> dict[int, list[str]]:
    """The records of a widened range whose family code is one typo from the probe's (Sott
    is ST, Scott SKT): the range holds every family name of that first letter, and reading
    and scoring them all made searches cost about 40 % more CPU in process."""
    code = probe.get("family_phonetic", "")
    return {
        record: keys
        for record, keys in keys_by_record.items()
        if any(DamerauLevenshtein.distance(key.rpartition("|")[2], code) <= 1 for key in keys)
    }


def score_against(
    model: MatchModel, probe: Mapping[str, str], candidates: Sequence[Mapping[str, str]]
) -> ScoredPairs:
    """The probe scored with each candidate (pair i: the probe and candidate i), in one
    vectorised pass."""
    columns = feature_columns([probe, *candidates], model.features())
    right = np.arange(1, len(candidates) + 1, dtype=np.int64)
    return score_pairs(model, columns, np.zeros_like(right), right)
