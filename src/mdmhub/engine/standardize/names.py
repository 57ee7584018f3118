"""Person names: titles and suffixes, one-field name splitting, nicknames.

Sources disagree on how a name is written (one field or three, "Smith,
John" or "John Smith", "Dr." or not, "Pepe" or "José"); these functions
bring every form to the same parts so the comparisons see like with like.

`nameparser` is deliberately not used: it costs ~200 µs a name (the
budget is ~20 µs for a whole record), its title list holds real given names
(Dean, Judge) and it knows nothing of Spanish double surnames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from nicknames import NickNamer

from mdmhub.engine.standardize.nicknames_es import GIVEN_NAMES_ES, NICKNAMES_ES, SURNAMES_ES
from mdmhub.engine.standardize.text import normalize_text

_CACHE_SIZE = 65536

_TITLES: Final = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "dra",
        "prof",
        "sir",
        "dame",
        "rev",
        "sr",
        "sra",
        "srta",
        "sres",
        "don",
        "dona",
        "dna",
        "lic",
        "lcdo",
        "lcda",
        "ing",
        # Peerage, clergy and military ranks written before a name ("Lady Jane Grey").
        "lord",
        "lady",
        "baron",
        "baroness",
        "viscount",
        "viscountess",
        "countess",
        "duchess",
        "marquess",
        "marchioness",
        "reverend",
        "revd",
        "canon",
        "captain",
        "capt",
        "colonel",
        "admiral",
    ]
)
# Also common given names (Don Johnson): only a title when a full name follows.
_NAME_LIKE_TITLES: Final = frozenset({"don"})
_SUFFIXES: Final = frozenset(["jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "esq"])
# Generational suffixes are an English naming habit; seeing one means the
# name has one surname, whatever its length.
_ENGLISH_SUFFIXES: Final = frozenset(["jr", "jnr", "snr", "ii", "iii", "iv"])
_ENGLISH_TITLES: Final = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "sir", "dame", "lord", "lady", "baronet", "reverend", "revd"]
)
# Surname particles travel with the word after them ("de la Fuente").
_DIGIT: Final = re.compile(r"\d")
_PARTICLES: Final = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "i",
        "van",
        "von",
        "der",
        "den",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "du",
        "le",
    ]
)


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name in the canonical attribute parts, each normalised."""

    given: str | None
    family: str | None
    second_family: str | None


_NO_NAME: Final = PersonName(None, None, None)


def _strip_titles(words: list[str]) -> list[str]:
    """Drop leading titles, always leaving at least one word."""
    start = 0
    while start < len(words) - 1 and words[start] in _TITLES:
        if words[start] in _NAME_LIKE_TITLES and len(words) - start < 3:
            break
        start += 1
    return words[start:]


def _strip_suffixes(words: list[str]) -> tuple[list[str], bool]:
    """Drop trailing suffixes, leaving at least one word; report an English one."""
    end = len(words)
    english = False
    while end > 1 and words[end - 1] in _SUFFIXES:
        english = english or words[end - 1] in _ENGLISH_SUFFIXES
        end -= 1
    return words[:end], english


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_name(value: str | None) -> str | None:
    """Normalise a name field so "Dr. John Smith Jr." and "john smith" agree."""
    text = normalize_text(value)
    if text is None:
        return None
    words, _ = _strip_suffixes(_strip_titles(text.split()))
    return " ".join(words)


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_given_name(value: str | None) -> str | None:
    """A given-name field as `normalize_name` reads it, or None when it holds no name:
    only a title ("Sir", "Lady") or an ordinal ("1st"), as sources that split a noble's
    name write it. Such a field would disagree with every record of the person."""
    name = normalize_name(value)
    if name is None:
        return None
    words = [
        w
        for w in name.split()
        if (w not in _TITLES or w in _NAME_LIKE_TITLES) and not _DIGIT.search(w)
    ]
    return name if words else None


_NAMER: Final = NickNamer()


def _english_nicknames(pinned: frozenset[str]) -> dict[str, str]:
    """Map every name the `nicknames` package knows to one canonical name.

    The package relates a nickname to several full names and often both
    ways (William <-> Bill), so a name is moved, step by step, to the
    related name with more nicknames of its own (a proxy for "the formal
    name"), preferring the one sharing most relatives with it. Steps stop
    at `pinned` names and at a name no relative outranks; the few common
    names this heuristic gets wrong are fixed by _ENGLISH_FIXES.
    """
    full_names_of = _NAMER.canonical_lookup
    nicknames_of = _NAMER.nickname_lookup

    def relatives(name: str) -> set[str]:
        return full_names_of.get(name, set()) | nicknames_of.get(name, set()) | {name}

    def degree(name: str) -> int:
        return len(nicknames_of.get(name, ()))

    def step(name: str) -> str:
        ranked = [
            (len(relatives(name) & relatives(full)), degree(full), full)
            for full in full_names_of.get(name, ())
            if full.isalpha() and degree(full) > degree(name)
        ]
        # Alphabetical order settles ties so the table never depends on set order.
        return min(ranked, key=lambda r: (-r[0], -r[1], r[2]))[2] if ranked else name

    table: dict[str, str] = {}
    for name in full_names_of.keys() | nicknames_of.keys():
        if not name.isalpha():
            continue
        canonical = name
        while canonical not in pinned and (nxt := step(canonical)) != canonical:
            canonical = nxt
        table[name] = canonical
    return table


# Common English nicknames the package data sends astray (Bob -> Rodger,
# John -> Jonathan, Sam -> Samantha), and spellings of one name it keeps apart, so that
# their nicknames meet (Kate is Katherine's, Cathy Catherine's: one name).
_ENGLISH_FIXES: Final[dict[str, str]] = {
    "al": "albert",
    "andy": "andrew",
    "bert": "albert",
    "bill": "william",
    "billy": "william",
    "bob": "robert",
    "bobby": "robert",
    "catharine": "katherine",
    "catherine": "katherine",
    "cathryn": "katherine",
    "chris": "christopher",
    "drew": "andrew",
    "fred": "frederick",
    "freddie": "frederick",
    "freddy": "frederick",
    "hank": "henry",
    "jack": "john",
    "johnny": "john",
    "katharine": "katherine",
    "kathryn": "katherine",
    "katie": "katherine",
    "kitty": "katherine",
    "mick": "michael",
    "mickey": "michael",
    "mike": "michael",
    "pat": "patrick",
    "ron": "ronald",
    "ronnie": "ronald",
    "sam": "samuel",
    "sammy": "samuel",
    "tony": "anthony",
    "will": "william",
}


def _words_of(names: Iterable[str]) -> frozenset[str]:
    return frozenset(word for name in names for word in name.split())


def _build_nickname_table() -> dict[str, str]:
    """Merge English and Spanish tables into one closed nickname -> name map.

    Spanish names and every canonical target are pinned to themselves so
    the English data cannot turn "maria" into "mariah". Closing the table
    (a target is never itself a key) makes canonical_given_name idempotent.
    """
    targets = _words_of(NICKNAMES_ES.values()) | _words_of(_ENGLISH_FIXES.values())
    pinned = GIVEN_NAMES_ES | targets
    table = _english_nicknames(pinned)
    table.update(_ENGLISH_FIXES)
    table.update(NICKNAMES_ES)
    for name in pinned:
        table.pop(name, None)
    while True:
        closed = {k: " ".join(table.get(w, w) for w in v.split()) for k, v in table.items()}
        if closed == table:
            return {k: v for k, v in table.items() if k != v}
        table = closed


_NICKNAMES: Final = _build_nickname_table()


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_given_name(name: str | None) -> str | None:
    """Map a given name to the one form its nicknames share (Pepe -> jose).

    A multi-word given name is mapped word by word (Pepe Luis -> jose luis)
    unless the whole of it is a nickname (Jose Mari is not, Chema is).
    """
    text = normalize_name(name)
    if text is None:
        return None
    whole = _NICKNAMES.get(text)
    if whole is not None:
        return whole
    return " ".join(_NICKNAMES.get(word, word) for word in text.split())


_FULL_NAMES_OF: Final = _NAMER.canonical_lookup
_NICKNAMES_OF: Final = _NAMER.nickname_lookup
"""Read once: the package rebuilds these mappings on every attribute access."""


@lru_cache(maxsize=65536)
def given_name_aliases(name: str | None) -> frozenset[str] | None:
    """The given name with the names it is a nickname of and the nicknames it has.

    The matcher takes two given names for nicknames of each other when one is among the
    other's aliases (Tom and Thomas) or both share a canonical form (see
    `comparisons.NameBands`), not whenever their sets meet: the data gives one nickname to
    several names (jamie: Benjamin and James). Sets, not one canonical form: the nickname
    data relates a name to several others, and a chain of single canonical choices sends
    some astray (Tom -> thom, Jean -> virginia).

    A compound given name is a name of its own, known by its whole and by the
    nickname of its whole (Chema = José María, Pepe Luis = José Luis), never by its
    first word alone: María Dolores and María Carmen are two women, and so are the
    thousands of Spanish women whose name starts with María.
    """
    text = normalize_name(name)
    if text is None:
        return None
    canonical = canonical_given_name(text)
    if " " in text:
        return frozenset({text, *((canonical,) if canonical else ())})
    related = _FULL_NAMES_OF.get(text, set()) | _NICKNAMES_OF.get(text, set())
    return frozenset(
        {text, *((canonical,) if canonical else ()), *(n for n in related if n.isalpha())}
    )


_ENGLISH_NAMES: Final = frozenset(
    name
    for name in _NAMER.canonical_lookup.keys() | _NAMER.nickname_lookup.keys()
    if name.isalpha()
)
# Names that can start a compound given name. Surnames that double as given
# names are left out: after the first word they are more often surnames.
_GIVEN: Final = (_ENGLISH_NAMES | GIVEN_NAMES_ES | frozenset(NICKNAMES_ES)) - SURNAMES_ES
_ENGLISH_ONLY: Final = _ENGLISH_NAMES - GIVEN_NAMES_ES - frozenset(NICKNAMES_ES)


def _looks_given(unit: str) -> bool:
    """True for a given name or initial, also with particles (del Carmen)."""
    words = unit.split()
    while words and words[0] in _PARTICLES:
        words = words[1:]
    return bool(words) and all(len(w) == 1 or w in _GIVEN for w in words)


def _units(words: list[str]) -> list[str]:
    """Group particles with the word they introduce: de la fuente is one unit."""
    units: list[str] = []
    pending: list[str] = []
    for word in words:
        if word in _PARTICLES:
            pending.append(word)
        else:
            units.append(" ".join([*pending, word]))
            pending = []
    if pending:
        units.append(" ".join(pending))
    return units


def _part_words(part: str) -> list[str]:
    """Normalised words of one comma part; a hyphenated word stays one word.

    Names hold no digits, so words with digits ("1st") are noise.
    """
    return [w for raw in part.split() if (w := normalize_text(raw)) and not _DIGIT.search(w)]


def _split_surnames(units: list[str], english: bool) -> tuple[str | None, str | None]:
    if not units:
        return None, None
    if len(units) == 1 or english:
        return " ".join(units), None
    return units[0], " ".join(units[1:])


def _is_english(units: list[str]) -> bool:
    """An English name uses middle names, not a second surname.

    Only evidence that is cheap and rarely wrong counts: a first name that
    is English and not Spanish, with neither of the last two units a common
    Spanish surname (Latin American Jennifer Gómez Ruiz has two surnames).
    """
    return units[0] in _ENGLISH_ONLY and not (units[-1] in SURNAMES_ES or units[-2] in SURNAMES_ES)


@lru_cache(maxsize=_CACHE_SIZE)
def split_full_name(full_name: str | None) -> PersonName:
    """Split a one-field name into given name, first and second surname.

    "Family, Given" is trusted as written; a family part of two units is
    two surnames unless the name is English. Without a comma, with three
    units or more: when every middle unit looks like a given name (Juan
    Carlos Pérez, John A. Smith, María del Carmen López) the last unit is the
    only surname; otherwise the last two are the two surnames (José María
    García de la Fuente), which is the Spanish convention and also right
    for given names no list knows (Xiomara Yuliet Pérez García). English
    signals (initials, Jr/III, Mr/Mrs, an English-only first name) turn the
    second surname into a middle name (John Fitzgerald Kennedy).
    """
    if not full_name:
        return _NO_NAME
    english = False
    parts: list[list[str]] = []
    for index, raw_part in enumerate(full_name.split(",")):
        if index and _DIGIT.search(raw_part):
            # A description after a comma ("Thomas Clifford, 1st Baron ..."), not a name.
            continue
        words = _part_words(raw_part)
        if not words:
            continue
        if parts and all(w in _SUFFIXES for w in words):
            # "John Smith, Jr.": the comma introduces a suffix, not a given name.
            english = english or not _ENGLISH_SUFFIXES.isdisjoint(words)
            continue
        english = english or words[0] in _ENGLISH_TITLES
        words, had_suffix = _strip_suffixes(_strip_titles(words))
        english = english or had_suffix
        parts.append(words)
    if not parts:
        return _NO_NAME
    if len(parts) >= 2:
        family_units, given_units = _units(parts[0]), _units(parts[1])
        english = english or any(len(u) == 1 for u in given_units)
        family, second = _split_surnames(family_units, english)
        return PersonName(" ".join(given_units), family, second)
    units = _units(parts[0])
    if len(units) == 1:
        return PersonName(units[0], None, None)
    if len(units) == 2:
        return PersonName(units[0], units[1], None)
    middle = units[1:-1]
    if (
        english
        or any(len(u) == 1 for u in middle)
        or all(_looks_given(u) for u in middle)
        or _is_english(units)
    ):
        return PersonName(" ".join(units[:-1]), units[-1], None)
    return PersonName(" ".join(units[:-2]), units[-2], units[-1])
