"""The crosswalk: which golden record each live source record belongs to."""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType


def rows(session: Session, entity: EntityType | None) -> Iterator[tuple[str, str, str, str]]:
    """(entity, source, source_id, golden_id), ordered, streamed."""
    return records_repo.xref_rows(session, entity.value if entity else None)
