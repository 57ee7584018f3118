"""Organisation names without legal forms: "Acme, Inc." and "ACME" agree.

The legal form says how a company is registered, not which company it is,
and sources drop, abbreviate or punctuate it at will ("S.A.S.", "SAS",
"S. A. S."). Removing it leaves the part that names the company.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from mdmhub.engine.standardize.text import normalize_text

_CACHE_SIZE = 65536

# Dotted acronyms are one word ("Y.P.F. S.A." -> "YPF SA"), so their letters
# are neither taken for a connector nor run into the next acronym.
_DOTTED_ACRONYM: Final = re.compile(r"\b(?:[^\W\d_]\.){2,}")
# Written as they read after normalisation and after runs of single letters
# are joined ("s. a. de c. v." -> "sa de cv").
_LEGAL_FORMS: Final = frozenset(
    tuple(form.split())
    for form in (
        "sas",
        "sa",
        "sl",
        "slu",
        "sau",
        "sll",
        "ltda",
        "limitada",
        "sa de cv",
        "sab de cv",
        "sapi de cv",
        "s de rl",
        "s de rl de cv",
        "sociedad anonima",
        "sociedad limitada",
        "sc",
        "eirl",
        "sac",
        "saa",
        "cia",
        "compania",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "kg",
        "bv",
        "nv",
        "srl",
        "spa",
        "sarl",
        "pty",
    )
)
_LONGEST_FORM: Final = max(len(form) for form in _LEGAL_FORMS)
# Left dangling once a legal form goes ("Pérez y Cía." -> "perez y"), and
# spelled both ways elsewhere ("Procter & Gamble", "Procter and Gamble").
_CONNECTORS: Final = frozenset({"and", "y"})


def _undot(match: re.Match[str]) -> str:
    return match.group().replace(".", "")


def _join_initials(words: list[str]) -> list[str]:
    """Join runs of single letters written apart: "S. A." -> "sa", "A B C" -> "abc"."""
    out: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        out.append(word)
    if run:
        out.append(run)
    return out


def _strip_legal_forms(words: list[str]) -> list[str]:
    """Drop trailing legal forms (several may stack: "Co., Ltd."), keeping one word."""
    end = len(words)
    while end > 1:
        for size in range(min(_LONGEST_FORM, end - 1), 0, -1):
            if tuple(words[end - size : end]) in _LEGAL_FORMS:
                end -= size
                break
        else:
            return words[:end]
    return words[:end]


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_org_name(value: str | None) -> str | None:
    """Normalise an organisation name, dropping legal forms, "the" and "and".

    Legal forms are only cut from the end, where they belong: a leading
    "Co" is more likely the start of a name ("Co-op Bank"). A name made
    only of a legal form is kept whole rather than emptied.
    """
    text = normalize_text(_DOTTED_ACRONYM.sub(_undot, value) if value else value)
    if text is None:
        return None
    words = text.split()
    while len(words) > 1 and words[0] == "the":
        words = words[1:]
    words = _join_initials([w for w in words if w not in _CONNECTORS] or words)
    return " ".join(_strip_legal_forms(words))
