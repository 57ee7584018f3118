"""Bulk helpers shared by the repositories."""

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.orm import Session

from mdmhub.db.base import Base

T = TypeVar("T")

IN_CHUNK = 500
"""Values per IN (...) list: well under SQLite's bound-parameter limit."""


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """A Core executemany: the ORM's per-row bookkeeping costs more than the insert itself."""
    if rows:
        session.connection().execute(insert(model.__table__), list(rows))  # type: ignore[arg-type]
