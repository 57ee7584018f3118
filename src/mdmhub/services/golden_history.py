"""A golden record's past: every version with what changed and why, and reads as of a time."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mdmhub.db.models import GoldenRecord, GoldenRecordVersion
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.domain.entities import EntityType
from mdmhub.errors import NotFoundError


def _known(session: Session, entity: EntityType, golden_id: str) -> GoldenRecord:
    record = golden_repo.get(session, golden_id)
    if record is None or record.entity != entity.value:
        raise NotFoundError(f"no {entity.value} golden record {golden_id}")
    return record


def history(session: Session, entity: EntityType, golden_id: str) -> Sequence[GoldenRecordVersion]:
    """The id's own versions, oldest first; a merged-away id's last version names its survivor."""
    _known(session, entity, golden_id)
    return golden_repo.versions(session, golden_id)


def as_of(
    session: Session, entity: EntityType, golden_id: str, at: datetime
) -> tuple[GoldenRecord, GoldenRecordVersion]:
    """The record and its version in force at `at`; no redirect, since a merged id was itself
    back then."""
    record = _known(session, entity, golden_id)
    version = golden_repo.version_as_of(session, golden_id, at)
    if version is None:
        raise NotFoundError(f"golden record {golden_id} did not exist at {at.isoformat()}")
    return record, version
