"""Queries on the pairs of golden records stewards said are different things."""

from collections.abc import Collection, Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mdmhub.db.models import CannotLink
from mdmhub.db.repositories.bulk import chunks
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import one_of


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


_FROM_ANY_OF = select(CannotLink.golden_a, CannotLink.golden_b).where(
    one_of(CannotLink.golden_a, "ids")
)


def among(session: Session, golden_ids: Collection[str]) -> list[tuple[str, str]]:
    """The pairs whose two sides are both in `golden_ids`. Every upsert asks, for all the
    golden records its batch touches, so the statement is built once (see `rows`)."""
    ids = sorted(golden_ids)
    pairs: list[tuple[str, str]] = []
    for chunk in chunks(ids):
        rows = select_rows(session, _FROM_ANY_OF, {"ids": list(chunk)})
        pairs.extend((a, b) for a, b in rows if b in golden_ids)
    return pairs


def last_id(session: Session) -> int:
    """The id of the newest pair, 0 when there is none: a new one raises it."""
    return session.scalar(select(func.max(CannotLink.id))) or 0


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


def follow_merges(session: Session, retired: Mapping[str, str]) -> None:
    """Constraints of merged-away golden records now bind their survivors (a pair that a merge
    brought together is dropped: a steward lifted it)."""
    links: list[CannotLink] = []
    for chunk in chunks(sorted(retired)):
        links.extend(
            session.scalars(
                select(CannotLink).where(
                    or_(CannotLink.golden_a.in_(chunk), CannotLink.golden_b.in_(chunk))
                )
            )
        )
    for link in {link.id: link for link in links}.values():
        first = retired.get(link.golden_a, link.golden_a)
        second = retired.get(link.golden_b, link.golden_b)
        session.delete(link)
        session.flush()
        if first != second:
            first, second = ordered(first, second)
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


def bound_to(session: Session, golden_id: str) -> list[CannotLink]:
    return list(
        session.scalars(
            select(CannotLink).where(
                or_(CannotLink.golden_a == golden_id, CannotLink.golden_b == golden_id)
            )
        )
    )
