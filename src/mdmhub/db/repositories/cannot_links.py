"""Queries on the pairs of golden records stewards said are different things."""

from collections.abc import Collection

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from mdmhub.db.models import CannotLink
from mdmhub.db.repositories.bulk import chunks


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def among(session: Session, golden_ids: Collection[str]) -> list[tuple[str, str]]:
    """The pairs whose two sides are both in `golden_ids`."""
    ids = sorted(golden_ids)
    pairs: list[tuple[str, str]] = []
    for chunk in chunks(ids):
        rows = session.execute(
            select(CannotLink.golden_a, CannotLink.golden_b).where(CannotLink.golden_a.in_(chunk))
        )
        pairs.extend((a, b) for a, b in rows if b in golden_ids)
    return pairs


def of_entity(session: Session, entity: str) -> list[tuple[str, str]]:
    rows = session.execute(
        select(CannotLink.golden_a, CannotLink.golden_b).where(CannotLink.entity == entity)
    )
    return [(a, b) for a, b in rows]


def exists(session: Session, a: str, b: str) -> bool:
    first, second = ordered(a, b)
    found = session.scalar(
        select(CannotLink.id).where(CannotLink.golden_a == first, CannotLink.golden_b == second)
    )
    return found is not None


def add(session: Session, link: CannotLink) -> None:
    if not exists(session, link.golden_a, link.golden_b):
        session.add(link)
        session.flush()


def remove(session: Session, a: str, b: str) -> None:
    first, second = ordered(a, b)
    session.execute(
        delete(CannotLink).where(CannotLink.golden_a == first, CannotLink.golden_b == second)
    )


def follow_merge(session: Session, retired: str, survivor: str) -> None:
    """Constraints of a merged-away golden record now bind its survivor."""
    links = session.scalars(
        select(CannotLink).where(
            or_(CannotLink.golden_a == retired, CannotLink.golden_b == retired)
        )
    ).all()
    for link in links:
        other = link.golden_b if link.golden_a == retired else link.golden_a
        session.delete(link)
        session.flush()
        if other != survivor:
            first, second = ordered(other, survivor)
            add(
                session,
                CannotLink(
                    entity=link.entity,
                    golden_a=first,
                    golden_b=second,
                    origin=link.origin,
                    created_by=link.created_by,
                    created_at=link.created_at,
                ),
            )
