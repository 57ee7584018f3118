"""The tables. Rows are never deleted: tombstones and versions keep history (a record's current
links are replaced on update; its versions keep every set it had)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
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
    links: Mapped[list[dict[str, str]] | None] = mapped_column(JsonDocument, nullable=True)
    """The record's references in this version (null when it had none)."""


class BlockingKey(Base):
    """One row per (record, key): an incoming record finds its candidates by key in one query.

    A derived index of the records' features, written and rewritten with its record
    (records are never deleted, only tombstoned), so it has no foreign key: checking one
    for every key cost PostgreSQL more than storing the key (a load's 304,633 keys went
    in 2.7-3.0 s with it, 1.2-1.3 s without). On SQLite the rows live in the primary
    key's b-tree (no rowid), so the (entity, key) index holds the record id and a
    candidate lookup reads the index alone."""

    __tablename__ = "blocking_keys"
    __table_args__ = (
        Index("ix_blocking_keys_entity_key", "entity", "key"),
        {"sqlite_with_rowid": False},
    )

    record_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(
        String(400).with_variant(String(400, collation="C"), "postgresql"), primary_key=True
    )
    """Compared byte by byte, so that keys starting alike are one range of the index."""
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


class ReviewTask(Base):
    """Something the machine could not decide: a pair in the review band, or a source
    update that contradicts a steward's override."""

    __tablename__ = "review_tasks"
    __table_args__ = (Index("ix_review_tasks_entity_status", "entity", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    left_record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"), index=True)
    right_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_records.id"), nullable=True, index=True
    )
    golden_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    pair_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    """"<left id>:<right id>" for a possible match, so a pair is queued once; NULL otherwise."""
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CannotLink(Base):
    """Two golden records a steward said are different: no automatic merge joins them."""

    __tablename__ = "cannot_links"
    __table_args__ = (UniqueConstraint("golden_a", "golden_b"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    golden_a: Mapped[str] = mapped_column(String(40))
    """The smaller id of the pair; `golden_b` the larger."""
    golden_b: Mapped[str] = mapped_column(String(40), index=True)
    origin: Mapped[str] = mapped_column(String(30))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Override(Base):
    """A value a steward pinned on a golden record; it wins over every source until removed."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    golden_id: Mapped[str] = mapped_column(String(40), index=True)
    attribute: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class GoldenRecordVersion(Base):
    """Every state a golden record has had, with what changed and why: as-of reads and history."""

    __tablename__ = "golden_record_versions"
    __table_args__ = (UniqueConstraint("golden_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    golden_id: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    merged_into: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    operation: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Append-only log of every write: who, when, what, with which API key."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    api_key_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str | None] = mapped_column(String(20), nullable=True)
    target: Mapped[str | None] = mapped_column(String(300), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class WebhookSubscription(Base):
    """A subscriber URL and the events it wants; `cursor` is the last event delivered to it."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    """Signs each delivery (HMAC-SHA256); kept to sign, shown once at creation."""
    event_types: Mapped[list[str]] = mapped_column(JsonDocument)
    entities: Mapped[list[str]] = mapped_column(JsonDocument)
    active: Mapped[bool] = mapped_column(Boolean)
    cursor: Mapped[int] = mapped_column(BigInteger)
    failures: Mapped[int] = mapped_column(Integer)
    """Consecutive failed attempts at the event after `cursor`: the backoff exponent."""
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """One delivery attempt of one event to one subscriber."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_id: Mapped[int] = mapped_column(BigInteger)
    attempt: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """An API key: only a hash of the secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(ForeignKey("sources.name"), nullable=True)
    """The one source a `source` key may write as."""
    name: Mapped[str] = mapped_column(String(200))
    sees_sensitive: Mapped[bool] = mapped_column(Boolean)
    """May read national ids and birth dates unmasked."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RecordLink(Base):
    """A source record's reference to another record, by that record's source ids.

    Resolved to golden records when read, so it follows merges and splits.
    """

    __tablename__ = "record_links"
    __table_args__ = (
        Index("ix_record_links_target", "target_entity", "target_source", "target_source_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    target_entity: Mapped[str] = mapped_column(String(20))
    target_source: Mapped[str] = mapped_column(String(100))
    target_source_id: Mapped[str] = mapped_column(String(200))


class Interaction(Base):
    """A purchase, complaint, request, call … of a customer, named by the source's own ids."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("source", "interaction_id"),
        Index(
            "ix_interactions_customer",
            "customer_source",
            "customer_source_id",
            "occurred_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"))
    interaction_id: Mapped[str] = mapped_column(String(200))
    customer_source: Mapped[str] = mapped_column(String(100))
    customer_source_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    product_source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    product_source_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    text: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CustomerView(Base):
    """A customer's default 360 answer (every section, the first page of the timeline), kept
    ready to send: an agent's read is then one primary-key lookup, not a dozen queries and
    a render.

    Writers never build one. In the transaction that changes anything a view shows, they
    bump its `generation` and drop its body (creating the row if need be). The refresher
    builds bodies outside any write and stores one only if the generation it read before
    reading the data is still current, so a stored body is never older than the data.
    """

    __tablename__ = "customer_views"

    golden_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    masked_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The same answer with national ids and birth dates masked, for most agents."""
    built_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    """Null while the view waits to be (re)built."""
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    """When an open case falls due: the overdue count it shows changes then."""
