"""Queries on the values stewards pinned on golden records."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mdmhub.db.models import Override
from mdmhub.db.repositories.bulk import chunks
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import one_of


@dataclass(frozen=True, slots=True)
class ActiveOverride:
    value: str
    reason: str
    created_by: str


_ACTIVE = select(
    Override.golden_id, Override.attribute, Override.value, Override.reason, Override.created_by
).where(one_of(Override.golden_id, "ids"), Override.removed_at.is_(None))
"""Read for every golden record an upsert recomputes."""


def active(session: Session, golden_ids: Sequence[str]) -> dict[str, dict[str, ActiveOverride]]:
    """Golden id -> attribute -> the override in force."""
    found: dict[str, dict[str, ActiveOverride]] = defaultdict(dict)
    for chunk in chunks(golden_ids):
        for row in select_rows(session, _ACTIVE, {"ids": list(chunk)}):
            found[row.golden_id][row.attribute] = ActiveOverride(
                row.value, row.reason, row.created_by
            )
    return found


def add(session: Session, override: Override) -> None:
    session.add(override)
    session.flush()


def remove(session: Session, golden_id: str, attribute: str, removed_by: str, at: datetime) -> bool:
    """Retire the override in force (rows are kept as history). False when there was none."""
    result = session.execute(
        update(Override)
        .where(
            Override.golden_id == golden_id,
            Override.attribute == attribute,
            Override.removed_at.is_(None),
        )
        .values(removed_by=removed_by, removed_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def follow_merges(session: Session, retired: Mapping[str, str], at: datetime) -> set[str]:
    """Overrides of merged-away golden records go to their survivors, except on attributes a
    survivor pins already (its own pin, or one moved there first): those are retired.

    Returns the survivors that received an override.
    """
    moving = active(session, sorted(retired))
    if not moving:
        return set()
    survivors = sorted({retired[old] for old in moving})
    pinned = {survivor: set(by) for survivor, by in active(session, survivors).items()}
    received: set[str] = set()
    for old, by_attribute in sorted(moving.items()):
        survivor = retired[old]
        for attribute in sorted(by_attribute):
            statement = update(Override).where(
                Override.golden_id == old,
                Override.attribute == attribute,
                Override.removed_at.is_(None),
            )
            taken = pinned.setdefault(survivor, set())
            if attribute in taken:
                session.execute(statement.values(removed_by="merge", removed_at=at))
            else:
                session.execute(statement.values(golden_id=survivor))
                taken.add(attribute)
                received.add(survivor)
    return received
