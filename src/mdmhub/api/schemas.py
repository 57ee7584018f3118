"""The REST contract: request and response bodies, kept apart from the tables."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from mdmhub.domain.actors import Role
from mdmhub.domain.records import MAX_SOURCE_ID_LENGTH, RecordInput, RecordResult
from mdmhub.services.api_keys import MAX_NAME_LENGTH as MAX_KEY_NAME_LENGTH
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
