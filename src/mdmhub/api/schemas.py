"""The REST contract: request and response bodies, kept apart from the tables."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
)

from mdmhub.domain.actors import Role
from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType
from mdmhub.domain.interactions import InteractionInput, InteractionType
from mdmhub.domain.records import MAX_SOURCE_ID_LENGTH, LinkInput, RecordInput, RecordResult
from mdmhub.domain.relationships import MAX_LINKS
from mdmhub.domain.times import as_utc
from mdmhub.services.api_keys import MAX_NAME_LENGTH as MAX_KEY_NAME_LENGTH
from mdmhub.services.sources import MAX_NAME_LENGTH
from mdmhub.services.webhooks import MAX_URL_LENGTH

AttributeValue = str | int | float | bool | None


UtcTime = Annotated[datetime, AfterValidator(as_utc)]
EntityName = Literal["customer", "product", "address"]


def _texts(attributes: dict[str, AttributeValue]) -> dict[str, str]:
    """Values become text: standardisation is the hub's job, whatever the source sent."""
    return {
        name: (str(value).lower() if isinstance(value, bool) else str(value))
        for name, value in attributes.items()
        if value is not None
    }


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: EntityName = Field(examples=["address"])
    role: str = Field(
        min_length=1,
        max_length=40,
        description="customer→address: billing, shipping, home, work; customer→product: holds,"
        " bought; customer→customer: employer, household",
        examples=["billing"],
    )
    source: str | None = Field(
        default=None, max_length=MAX_NAME_LENGTH, description="the record's own source if unset"
    )
    source_id: str = Field(min_length=1, max_length=MAX_SOURCE_ID_LENGTH, examples=["A-7"])


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["crm"])
    source_id: str = Field(min_length=1, max_length=MAX_SOURCE_ID_LENGTH, examples=["42"])
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict,
        examples=[{"given_name": "José", "family_name": "García", "phone": "600 123 456"}],
    )
    links: list[LinkIn] = Field(
        default_factory=list,
        max_length=MAX_LINKS,
        description="references to other records by their source ids (resolved when read)",
    )

    def to_input(self) -> RecordInput:
        return RecordInput(
            source=self.source,
            source_id=self.source_id,
            attributes=_texts(self.attributes),
            links=tuple(
                LinkInput(link.entity, link.role, link.source or self.source, link.source_id)
                for link in self.links
            ),
        )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[RecordIn] = Field(min_length=1, max_length=1000)


def _body_kind(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "records" in value else "record"


UpsertBody = Annotated[
    Annotated[RecordIn, Tag("record")] | Annotated[BatchIn, Tag("batch")],
    Discriminator(_body_kind),
]


class ProblemOut(BaseModel):
    field: str
    message: str


class RecordResultOut(BaseModel):
    index: int
    source: str
    source_id: str
    status: Literal["accepted", "refused"]
    outcome: Literal["created", "updated", "unchanged", "merged", "deleted"] | None = None
    golden_id: str | None = None
    version: int | None = None
    errors: list[ProblemOut] = []

    @classmethod
    def of(cls, result: RecordResult) -> "RecordResultOut":
        return cls(
            index=result.index,
            source=result.source,
            source_id=result.source_id,
            status="accepted" if result.accepted else "refused",
            outcome=result.outcome.value if result.outcome else None,
            golden_id=result.golden_id,
            version=result.version,
            errors=[ProblemOut(field=p.field, message=p.message) for p in result.problems],
        )


class BatchOut(BaseModel):
    accepted: int
    refused: int
    results: list[RecordResultOut]


class SourceRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    entity: str
    source: str
    source_id: str
    version: int
    deleted: bool
    golden_id: str
    link_method: str = Field(
        description="new, auto (matched by score) or kept (an update that stayed)"
    )
    link_score: float
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class LineageValue(BaseModel):
    value: str
    source: str = Field(description='the source system, or "steward" for an override')
    source_id: str = Field(description="the source record's id, or the steward's name")
    rule: str
    reason: str | None = Field(default=None, description="an override's reason")
    source_value: str | None = Field(
        default=None, description="what the sources say under an override"
    )

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only overrides have a reason and a source value; other lineage stays four keys."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class GoldenOut(BaseModel):
    id: str = Field(
        description="The golden id; the survivor's when `requested_id` was merged away."
    )
    requested_id: str
    entity: str
    status: str
    version: int
    attributes: dict[str, LineageValue]
    members: list[SourceRecordOut] | None = Field(
        description="null in an as-of read: memberships are not versioned (lineage names the"
        " records each value came from)"
    )
    created_at: datetime
    updated_at: datetime
    as_of: datetime | None = None


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["crm"])
    trust: float = Field(ge=0.0, le=1.0, examples=[0.9])
    description: str = Field(default="", max_length=500)


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    trust: float
    description: str
    created_at: datetime


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    source: str | None = Field(
        default=None,
        max_length=MAX_NAME_LENGTH,
        description="required for, and only for, source keys",
    )
    name: str = Field(default="", max_length=MAX_KEY_NAME_LENGTH, examples=["crm nightly sync"])
    sees_sensitive: bool = Field(default=False, description="agent keys only")


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    role: Role
    source: str | None
    name: str
    sees_sensitive: bool
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="within a minute: it is not written on every use"
    )
    revoked_at: datetime | None


class IssuedKeyOut(KeyOut):
    key: str = Field(description="The key itself, shown this once: only a hash is kept.")


class ErrorOut(BaseModel):
    detail: str
    field: str | None = None
    errors: list[ProblemOut] = Field(
        default_factory=list, description="every problem, when the request broke several rules"
    )


class ComparisonOutcomeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    level: str
    weight: float = Field(description="log2 match weight this level adds")
    left: str | None = Field(description="the standardised value compared, left record")
    right: str | None


class ExplanationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    prior_weight: float
    comparisons: list[ComparisonOutcomeOut]
    match_weight: float = Field(description="prior_weight + the sum of the comparison weights")
    probability: float = Field(description="1 / (1 + 2^-match_weight)")
    decision: Literal["match", "review", "no-match"]


class AttributeChangeOut(BaseModel):
    attribute: str
    before: str | None
    after: str | None
    source: str | None = None
    source_id: str | None = None
    rule: str | None = None
    reason: str | None = None
    source_value: str | None = None


class GoldenVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    status: str
    merged_into: str | None
    attributes: dict[str, LineageValue]
    changes: list[AttributeChangeOut] = Field(
        description="what changed since the previous version, with the lineage of each new value"
    )
    operation: str = Field(
        description="ingest, delete, rematch, review.decide, steward.merge, steward.split,"
        " steward.override"
    )
    actor: str
    recorded_at: datetime


class GoldenHistoryOut(BaseModel):
    golden_id: str
    versions: list[GoldenVersionOut]


class ReviewTaskOut(BaseModel):
    id: int
    entity: str
    kind: Literal["possible_match", "override_conflict"]
    status: Literal["open", "decided"]
    score: float | None = Field(description="the pair's match probability (possible matches)")
    golden_id: str | None = Field(description="the golden record of an override conflict")
    detail: dict[str, Any]
    left: SourceRecordOut
    right: SourceRecordOut | None
    explanation: ExplanationOut | None = Field(
        default=None, description="per-attribute levels and weights (reading one task)"
    )
    decision: str | None
    comment: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class ReviewTaskPageOut(BaseModel):
    total: int
    offset: int
    tasks: list[ReviewTaskOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["match", "no-match", "keep-override", "accept-source"] = Field(
        description="match / no-match for a possible match; keep-override / accept-source for an"
        " override conflict"
    )
    comment: str | None = Field(default=None, max_length=2000)


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other: str = Field(min_length=1, max_length=40, description="the golden id to merge away")
    comment: str | None = Field(default=None, max_length=2000)


class RecordRefIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    source_id: str = Field(min_length=1, max_length=MAX_SOURCE_ID_LENGTH)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[RecordRefIn] = Field(min_length=1, max_length=1000)
    comment: str | None = Field(default=None, max_length=2000)


class SplitOut(BaseModel):
    golden_id: str = Field(description="the golden record that kept the other members")
    new_golden_id: str = Field(description="the golden record the named records moved to")


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=2000)
    reason: str = Field(min_length=1, max_length=2000)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor: str
    api_key_id: str | None
    action: str
    entity: str | None
    target: str | None
    detail: dict[str, Any]


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: int


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["shop"])
    interaction_id: str = Field(min_length=1, max_length=200, examples=["order-981"])
    customer_source_id: str = Field(
        min_length=1,
        max_length=MAX_SOURCE_ID_LENGTH,
        description="the customer's record id in `customer_source`",
        examples=["42"],
    )
    customer_source: str | None = Field(
        default=None, max_length=MAX_NAME_LENGTH, description="`source` if unset"
    )
    type: InteractionType
    channel: str | None = Field(default=None, max_length=30, examples=["web"])
    occurred_at: UtcTime
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=4)
    currency: str | None = Field(default=None, pattern="^[A-Z]{3}$", examples=["EUR"])
    product_source: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    product_source_id: str | None = Field(default=None, max_length=MAX_SOURCE_ID_LENGTH)
    status: str | None = Field(
        default=None,
        max_length=30,
        description="a service case is open unless resolved, closed, cancelled or rejected",
    )
    due_at: UtcTime | None = None
    resolved_at: UtcTime | None = None
    text: str | None = Field(default=None, max_length=4000)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)

    def to_input(self) -> InteractionInput:
        """The fields are the domain's, one for one; attribute values become text."""
        fields = self.model_dump(exclude={"attributes"})
        return InteractionInput(**fields, attributes=_texts(self.attributes))


class InteractionBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interactions: list[InteractionIn] = Field(min_length=1, max_length=1000)


class InteractionResultOut(BaseModel):
    index: int
    source: str
    interaction_id: str
    status: Literal["accepted", "refused"]
    outcome: Literal["created", "updated", "unchanged"] | None = None
    golden_id: str | None = Field(
        default=None, description="the golden customer now; null until the customer record exists"
    )
    errors: list[ProblemOut] = []


class InteractionBatchOut(BaseModel):
    accepted: int
    refused: int
    results: list[InteractionResultOut]


class InteractionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source: str
    interaction_id: str
    customer_source: str
    customer_source_id: str
    type: str
    channel: str | None = None
    occurred_at: datetime
    amount: Decimal | None = None
    currency: str | None = None
    product_source: str | None = None
    product_source_id: str | None = None
    status: str | None = None
    due_at: datetime | None = None
    resolved_at: datetime | None = None
    text: str | None = None
    attributes: dict[str, Any]
    golden_id: str | None = Field(
        default=None, description="the golden customer it belongs to now (reading one)"
    )


class RelatedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: str
    golden_id: str | None = Field(description="null while the referenced record has not arrived")
    source: str | None = Field(description="the reference as the source gave it")
    source_id: str | None
    attributes: dict[str, str] = Field(description="the related golden record's values")


class QualityFlagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attribute: str
    problem: Literal["missing", "invalid", "conflicting"]
    values: list[dict[str, str]] = Field(description="the values at fault, with their source")


class IndicatorsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    open_complaints: int = Field(description="complaints and claims not yet resolved")
    open_requests: int = Field(description="requests and enquiries not yet resolved")
    overdue_cases: int = Field(description="open service cases past their due date")
    average_resolution_hours: float | None = Field(description="over resolved service cases")
    last_contact: datetime | None
    purchase_count: int
    total_spent: dict[str, Decimal] = Field(description="purchase amounts per currency")
    first_seen: datetime | None = Field(description="first record or interaction")
    last_seen: datetime | None


class TimelineOut(BaseModel):
    total: int
    offset: int
    items: list[InteractionOut]


_LINEAGE = {"source": "crm", "source_id": "42", "rule": "most_trusted_then_most_recent"}
_CUSTOMER_360_EXAMPLE: dict[str, Any] = {
    "id": "cus_6f1c0a7e2b8d4c1f9e3a5b7d0c2e4f61",
    "requested_id": "cus_6f1c0a7e2b8d4c1f9e3a5b7d0c2e4f61",
    "status": "active",
    "version": 3,
    "attributes": {
        "given_name": {"value": "José", **_LINEAGE},
        "family_name": {"value": "García", **_LINEAGE},
        "email": {"value": "jose.garcia@example.com", **_LINEAGE},
        "phone": {
            "value": "+34 600 123 456",
            "source": "steward",
            "source_id": "ana.steward",
            "rule": "steward_override",
            "reason": "confirmed on a call",
            "source_value": "600 000 000",
        },
    },
    "quality": [
        {
            "attribute": "email",
            "problem": "conflicting",
            "values": [
                {"value": "jose.garcia@example.com", "source": "crm", "source_id": "42"},
                {"value": "pepe@example.com", "source": "shop", "source_id": "S-9"},
            ],
        }
    ],
    "addresses": [
        {
            "role": "billing",
            "golden_id": "adr_0b9d2f4e6a8c4e1b3d5f7a9c1e3b5d70",
            "source": "crm",
            "source_id": "A-7",
            "attributes": {"address_line1": "Calle Mayor 5", "locality": "Madrid"},
        }
    ],
    "products": [
        {
            "role": "holds",
            "golden_id": "prd_1a3c5e7b9d2f4a6c8e0b2d4f6a8c0e11",
            "source": "shop",
            "source_id": "P-1",
            "attributes": {"name": "Fibra 600 Mb", "brand": "Acme"},
        }
    ],
    "related": [
        {
            "role": "employer",
            "golden_id": "cus_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c41",
            "source": "crm",
            "source_id": "ORG-3",
            "attributes": {"organization_name": "Talleres Ruiz S.L."},
        }
    ],
    "interactions": {
        "total": 23,
        "offset": 0,
        "items": [
            {
                "source": "callcentre",
                "interaction_id": "case-881",
                "customer_source": "crm",
                "customer_source_id": "42",
                "type": "complaint",
                "channel": "phone",
                "occurred_at": "2026-11-20T09:12:00Z",
                "amount": None,
                "currency": None,
                "product_source": "shop",
                "product_source_id": "P-1",
                "status": "open",
                "due_at": "2026-11-27T09:12:00Z",
                "resolved_at": None,
                "text": "No service since Tuesday",
                "attributes": {},
            }
        ],
    },
    "indicators": {
        "open_complaints": 1,
        "open_requests": 0,
        "overdue_cases": 0,
        "average_resolution_hours": 30.5,
        "last_contact": "2026-11-20T09:12:00Z",
        "purchase_count": 7,
        "total_spent": {"EUR": "412.80"},
        "first_seen": "2019-03-02T10:00:00Z",
        "last_seen": "2026-11-20T09:12:00Z",
    },
}


class Customer360Out(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_CUSTOMER_360_EXAMPLE]})

    id: str = Field(description="the golden id (the survivor's when requested_id was merged)")
    requested_id: str
    status: str
    version: int
    attributes: dict[str, LineageValue] | None = None
    sources: list[SourceRecordOut] | None = None
    quality: list[QualityFlagOut] | None = None
    addresses: list[RelatedOut] | None = None
    products: list[RelatedOut] | None = None
    related: list[RelatedOut] | None = None
    interactions: TimelineOut | None = None
    indicators: IndicatorsOut | None = None


class SearchHitOut(BaseModel):
    golden_id: str
    score: float = Field(description="match probability of the search with the best member")
    attributes: dict[str, str] = Field(description="the golden record's values")
    matched_source: str
    matched_source_id: str
    explanation: ExplanationOut


class SearchOut(BaseModel):
    hits: list[SearchHitOut]


class EventOut(BaseModel):
    id: int = Field(description="Increasing: the cursor to resume after this event")
    entity: str
    golden_id: str
    type: str = Field(examples=["golden.updated"])
    payload: dict[str, Any] = Field(
        description="golden.created/updated: version and attributes (name -> value); "
        "golden.merged: retired and survivor; golden.split: into; golden.deleted: version"
    )
    occurred_at: datetime


class FeedOut(BaseModel):
    events: list[EventOut]
    next_cursor: int = Field(
        description="Pass as `after` to read on: the last event's id, or `after` if none came"
    )


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1, max_length=MAX_URL_LENGTH, examples=["https://crm.example.com/mdm-events"]
    )
    event_types: list[EventType] = Field(default_factory=list, description="Empty: every type")
    entities: list[EntityType] = Field(default_factory=list, description="Empty: every entity")
    from_cursor: int | None = Field(
        default=None,
        ge=0,
        description="Deliver the events after this id (0: the whole feed); "
        "by default only the events to come",
    )


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    event_types: list[str]
    entities: list[str]
    active: bool
    cursor: int = Field(description="The last event delivered or passed over")
    failures: int = Field(description="Failed attempts in a row at the next event")
    next_attempt_at: datetime | None = Field(
        description="Set while a failing subscriber waits out its backoff"
    )
    created_by: str
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Signs every delivery; shown this once only")


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(ge=0, description="Events after this id are delivered again")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    attempt: int = Field(description="1 for the first try at this event, 2 for the first retry…")
    succeeded: bool
    status_code: int | None
    error: str | None
    duration_ms: float
    attempted_at: datetime
