"""The tables. Rows are never deleted: tombstones and versions keep history."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mdmhub.db.base import Base, BigId, JsonDocument, UtcDateTime, utcnow


class Source(Base):
    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    trust: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GoldenRecord(Base):
    __tablename__ = "golden_records"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20))
    merged_into: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    """Attribute -> {value, source, source_id, rule}: the value and its lineage."""
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SourceRecord(Base):
    """The latest version of a source record, and its crosswalk link to a golden record."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("entity", "source", "source_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"))
    source_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    features: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    """The standardised features the engine compares, kept so candidates need no re-work."""
    golden_id: Mapped[str] = mapped_column(ForeignKey("golden_records.id"), index=True)
    link_method: Mapped[str] = mapped_column(String(20))
    link_score: Mapped[float] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SourceRecordVersion(Base):
    __tablename__ = "source_record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    version: Mapped[int] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    content_hash: Mapped[str] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BlockingKey(Base):
    """One row per (record, key): an incoming record finds its candidates by key in one query."""

    __tablename__ = "blocking_keys"
    __table_args__ = (Index("ix_blocking_keys_entity_key", "entity", "key"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))


class Event(Base):
    """The outbox: one row per golden-record change, written in the change's transaction."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    golden_id: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MatchModelVersion(Base):
    """Trained parameters of an entity's match model; the highest version is in force."""

    __tablename__ = "match_models"
    __table_args__ = (UniqueConstraint("entity", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20))
    """"em" (unsupervised, from the stored records) or "labelled" (from labelled pairs)."""
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime)
