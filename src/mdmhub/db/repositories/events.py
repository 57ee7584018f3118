"""Queries on the outbox of golden-record change events."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.models import Event
from mdmhub.db.repositories.bulk import insert_rows


def add_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_rows(session, Event, rows)
