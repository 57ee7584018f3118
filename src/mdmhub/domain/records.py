"""What a source sends and what it gets back, independent of HTTP or files."""

from dataclasses import dataclass, field
from enum import StrEnum

from mdmhub.pickling import as_constructor_call

MAX_SOURCE_ID_LENGTH = 200
MAX_ATTRIBUTE_NAME_LENGTH = 100
MAX_VALUE_LENGTH = 10_000


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    MERGED = "merged"
    """The record's arrival merged golden records: some golden id now redirects."""
    DELETED = "deleted"


@as_constructor_call
@dataclass(frozen=True, slots=True)
class LinkInput:
    """A reference to another record by its source ids (see domain.relationships)."""

    entity: str
    role: str
    source: str
    source_id: str

    def as_dict(self) -> dict[str, str]:
        return {
            "entity": self.entity,
            "role": self.role,
            "source": self.source,
            "source_id": self.source_id,
        }


@as_constructor_call
@dataclass(frozen=True, slots=True)
class RecordInput:
    source: str
    source_id: str
    attributes: dict[str, str]
    links: tuple[LinkInput, ...] = ()


@as_constructor_call
@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class RecordResult:
    index: int
    source: str
    source_id: str
    outcome: Outcome | None = None
    golden_id: str | None = None
    version: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems


def check_record(record: RecordInput) -> list[Problem]:
    """Shape checks that need no database: bounded lengths, named attributes."""
    problems = []
    if not record.source_id.strip():
        problems.append(Problem("source_id", "must not be empty"))
    if len(record.source_id) > MAX_SOURCE_ID_LENGTH:
        problems.append(Problem("source_id", f"longer than {MAX_SOURCE_ID_LENGTH} characters"))
    for name, value in record.attributes.items():
        if not name.strip() or len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            problems.append(
                Problem(
                    f"attributes.{name[:MAX_ATTRIBUTE_NAME_LENGTH]}",
                    f"attribute names need 1 to {MAX_ATTRIBUTE_NAME_LENGTH} characters",
                )
            )
        elif len(value) > MAX_VALUE_LENGTH:
            problems.append(
                Problem(f"attributes.{name}", f"longer than {MAX_VALUE_LENGTH} characters")
            )
    return problems
