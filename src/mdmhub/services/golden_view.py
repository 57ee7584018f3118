"""Reading golden records and source records back, following merges."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.models import GoldenRecord, SourceRecord
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
from mdmhub.errors import NotFoundError

MAX_REDIRECTS = 100
"""Merge chains are short; a longer one means a cycle, which must not hang a read."""


@dataclass(frozen=True)
class GoldenView:
    requested_id: str
    record: GoldenRecord
    members: list[SourceRecord]

    @property
    def attributes(self) -> dict[str, Any]:
        return self.record.attributes


def get_golden(session: Session, entity: EntityType, golden_id: str) -> GoldenView:
    """The golden record, or the one it was merged into (the answer names both ids)."""
    record = golden_repo.get(session, golden_id)
    for _ in range(MAX_REDIRECTS):
        if record is None or record.entity != entity.value:
            raise NotFoundError(f"no {entity.value} golden record {golden_id}")
        if record.status != GoldenStatus.MERGED or record.merged_into is None:
            return GoldenView(golden_id, record, records_repo.members_of(session, record.id))
        record = golden_repo.get(session, record.merged_into)
    raise NotFoundError(f"golden record {golden_id} has a merge chain too long to follow")


def no_source_record(entity: EntityType, source: str, source_id: str) -> NotFoundError:
    return NotFoundError(f"no {entity.value} record {source}:{source_id}")


def get_source_record(
    session: Session, entity: EntityType, source: str, source_id: str
) -> SourceRecord:
    record = records_repo.get(session, entity.value, source, source_id)
    if record is None:
        raise no_source_record(entity, source, source_id)
    return record


def values(record: GoldenRecord | None) -> dict[str, str]:
    """A golden record's attribute values without their lineage (none for no record)."""
    return {} if record is None else attribute_values(record.attributes)


def attribute_values(attributes: Mapping[str, Any]) -> dict[str, str]:
    """Golden attributes (each a value with its lineage) as plain values."""
    return {name: str(v["value"]) for name, v in attributes.items()}
