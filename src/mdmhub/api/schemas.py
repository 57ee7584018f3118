"""The REST contract: request and response bodies, kept apart from the tables."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
)

from mdmhub.domain.records import MAX_SOURCE_ID_LENGTH, RecordInput, RecordResult
from mdmhub.services.sources import MAX_NAME_LENGTH

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
