"""The REST contract: request and response bodies, kept apart from the tables."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from mdmhub.domain.entities import EntityType
from mdmhub.domain.events import EventType
from mdmhub.domain.records import MAX_SOURCE_ID_LENGTH, RecordInput, RecordResult
from mdmhub.services.sources import MAX_NAME_LENGTH
from mdmhub.services.webhooks import MAX_URL_LENGTH

AttributeValue = str | int | float | bool | None


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["crm"])
    source_id: str = Field(min_length=1, max_length=MAX_SOURCE_ID_LENGTH, examples=["42"])
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict,
        examples=[{"given_name": "José", "family_name": "García", "phone": "600 123 456"}],
    )

    def to_input(self) -> RecordInput:
        """Values become text: standardisation is the hub's job, whatever the source sent."""
        return RecordInput(
            source=self.source,
            source_id=self.source_id,
            attributes={
                name: (str(value).lower() if isinstance(value, bool) else str(value))
                for name, value in self.attributes.items()
                if value is not None
            },
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
    source: str
    source_id: str
    rule: str


class GoldenOut(BaseModel):
    id: str = Field(
        description="The golden id; the survivor's when `requested_id` was merged away."
    )
    requested_id: str
    entity: str
    status: str
    version: int
    attributes: dict[str, LineageValue]
    members: list[SourceRecordOut]
    created_at: datetime
    updated_at: datetime


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


class ErrorOut(BaseModel):
    detail: str
    field: str | None = None


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
