"""Queries on the review queue."""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from mdmhub.db.models import ReviewTask, SourceRecord
from mdmhub.db.repositories.bulk import insert_new_rows


def add(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Queue tasks; a pair already queued (same `pair_key`) is left as it is."""
    insert_new_rows(session, ReviewTask, rows)


def get(session: Session, task_id: int) -> ReviewTask | None:
    return session.get(ReviewTask, task_id)


def page(
    session: Session,
    entity: str,
    status: str | None,
    kind: str | None,
    highest_score_first: bool,
    offset: int,
    limit: int,
) -> tuple[int, Sequence[ReviewTask]]:
    """One page of tasks and how many there are in all.

    An open possible match whose records have come together since (by another
    decision or a re-match) has nothing left to decide and is not listed.
    """
    query = select(ReviewTask).where(ReviewTask.entity == entity)
    if status is not None:
        query = query.where(ReviewTask.status == status)
    if kind is not None:
        query = query.where(ReviewTask.kind == kind)
    left, right = aliased(SourceRecord), aliased(SourceRecord)
    query = (
        query.join(left, left.id == ReviewTask.left_record_id)
        .outerjoin(right, right.id == ReviewTask.right_record_id)
        .where(
            (ReviewTask.status != "open")
            | right.id.is_(None)
            | ((left.golden_id != right.golden_id) & ~left.deleted & ~right.deleted)
        )
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (
        (ReviewTask.score.desc().nulls_last(), ReviewTask.id)
        if highest_score_first
        else (ReviewTask.created_at, ReviewTask.id)
    )
    return total, session.scalars(query.order_by(*order).offset(offset).limit(limit)).all()


def decided_pairs(
    session: Session, entity: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """The two records' attributes and the decision of every decided possible match."""
    left, right = aliased(SourceRecord), aliased(SourceRecord)
    rows = session.execute(
        select(left.attributes, right.attributes, ReviewTask.decision)
        .join(left, left.id == ReviewTask.left_record_id)
        .join(right, right.id == ReviewTask.right_record_id)
        .where(
            ReviewTask.entity == entity,
            ReviewTask.kind == "possible_match",
            ReviewTask.status == "decided",
        )
        .order_by(ReviewTask.id)
    )
    for left_attributes, right_attributes, decision in rows:
        yield left_attributes, right_attributes, str(decision)
