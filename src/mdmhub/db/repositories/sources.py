"""Queries on registered source systems."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdmhub.db.models import Source
from mdmhub.db.repositories.rows import select_rows
from mdmhub.db.repositories.value_lists import one_of


def get(session: Session, name: str) -> Source | None:
    return session.get(Source, name)


def get_all(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


_TRUST = select(Source.name, Source.trust).where(one_of(Source.name, "names"))


def trust_by_name(session: Session, names: Iterable[str]) -> dict[str, float]:
    rows = select_rows(session, _TRUST, {"names": sorted(set(names))})
    return {row.name: row.trust for row in rows}


def add(session: Session, source: Source) -> Source:
    session.add(source)
    session.flush()
    return source
