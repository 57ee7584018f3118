"""The 360° view of a customer: who they are, their addresses, products, relations, every
interaction, and the service indicators an agent needs while the customer is on the line.

Everything is resolved through the crosswalk at read time: references and
interactions name source records, so a merge or a split shows at once.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import GoldenRecord, Interaction, SourceRecord
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import interactions as interactions_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.interactions import (
    CLOSED_STATUSES,
    COMPLAINTS,
    REQUESTS,
    SERVICE_CASES,
    InteractionType,
)
from mdmhub.domain.masking import masked
from mdmhub.services import golden_view


class Section(StrEnum):
    GOLDEN = "golden"
    SOURCES = "sources"
    QUALITY = "quality"
    ADDRESSES = "addresses"
    PRODUCTS = "products"
    RELATED = "related"
    INTERACTIONS = "interactions"
    INDICATORS = "indicators"


ALL_SECTIONS = frozenset(Section)

CONTACT_FEATURES = {"email": "email", "phone": "phone", "birth_date": "birth_date"}
"""Raw attribute -> the feature its standardiser yields; a raw value without it is invalid."""
CONFLICT_FEATURES = ("email", "phone", "birth_date", "national_id")
"""Features where two sources disagreeing is worth a flag (names vary legitimately)."""
REVERSE_ROLES = {"employer": "employee", "household": "household"}


@dataclass(frozen=True)
class Related:
    role: str
    golden_id: str | None
    """None while the referenced record has not arrived."""
    source: str | None = None
    source_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QualityFlag:
    attribute: str
    problem: str
    """missing, invalid or conflicting."""
    values: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Indicators:
    open_complaints: int
    open_requests: int
    overdue_cases: int
    average_resolution_hours: float | None
    last_contact: datetime | None
    purchase_count: int
    total_spent: dict[str, Decimal]
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True)
class TimelineQuery:
    types: Sequence[str] = ()
    channels: Sequence[str] = ()
    offset: int = 0
    limit: int = 20


@dataclass
class View360:
    golden_id: str
    requested_id: str
    golden: GoldenRecord
    members: list[SourceRecord]
    sections: frozenset[Section]
    timeline: TimelineQuery
    quality: list[QualityFlag] | None = None
    addresses: list[Related] | None = None
    products: list[Related] | None = None
    related: list[Related] | None = None
    interactions_total: int | None = None
    interactions: Sequence[Interaction] | None = None
    indicators: Indicators | None = None
    indicators_change_at: datetime | None = None
    """When an open case falls due and the overdue count moves: a view kept ready must be
    rebuilt then."""


def view(
    session: Session,
    golden_id: str,
    sections: frozenset[Section],
    timeline: TimelineQuery,
) -> View360:
    """A handful of queries whatever the customer holds: the golden record and its members,
    their links, every interaction's summary, the referenced golden records, one page of
    interactions in full."""
    found = golden_view.get_golden(session, EntityType.CUSTOMER, golden_id)
    live = [m for m in found.members if not m.deleted]
    # Interactions stay with the customer after a record is deleted: history is not lost.
    keys = [(m.source, m.source_id) for m in found.members]
    result = View360(found.record.id, golden_id, found.record, found.members, sections, timeline)
    summaries = (
        interactions_repo.summaries(session, keys)
        if sections & {Section.INTERACTIONS, Section.INDICATORS, Section.PRODUCTS}
        else []
    )
    if Section.QUALITY in sections:
        result.quality = _quality(found.record, live)
    if sections & {Section.ADDRESSES, Section.PRODUCTS, Section.RELATED}:
        _relationships(session, result, sections, live, summaries)
    if Section.INTERACTIONS in sections:
        result.interactions_total, result.interactions = _timeline(session, summaries, timeline)
    if Section.INDICATORS in sections:
        result.indicators = _indicators(summaries, found.members)
        result.indicators_change_at = _next_due(summaries)
    return result


Reference = tuple[str, str, str, str]
"""(entity, role, source, source id) of a record a customer refers to."""


def _relationships(
    session: Session,
    result: View360,
    sections: frozenset[Section],
    live: Sequence[SourceRecord],
    summaries: Sequence[interactions_repo.Summary],
) -> None:
    """Addresses, products and related parties, resolved to golden records all at once."""
    references: list[Reference] = [
        (link.target_entity, link.role, link.target_source, link.target_source_id)
        for link in records_repo.links_from(session, [m.id for m in live])
    ]
    if Section.PRODUCTS in sections:
        references += sorted(
            {
                (EntityType.PRODUCT.value, "bought", s.product_source, s.product_source_id)
                for s in summaries
                if s.type == InteractionType.PURCHASE and s.product_source and s.product_source_id
            }
        )
    incoming = (
        records_repo.live_links_to(
            session, EntityType.CUSTOMER.value, [(m.source, m.source_id) for m in live]
        )
        if Section.RELATED in sections
        else []
    )
    golden_of = records_repo.golden_ids_of(session, [(e, s, i) for e, _, s, i in references])
    goldens = golden_repo.get_many(
        session, [*golden_of.values(), *(other for _, other in incoming)]
    )

    def related(entity: EntityType) -> list[Related]:
        return _related_records([r for r in references if r[0] == entity.value], golden_of, goldens)

    if Section.ADDRESSES in sections:
        result.addresses = related(EntityType.ADDRESS)
    if Section.PRODUCTS in sections:
        result.products = related(EntityType.PRODUCT)
    if Section.RELATED in sections:
        result.related = _parties(result.golden_id, related(EntityType.CUSTOMER), incoming, goldens)


def _related_records(
    references: Sequence[Reference],
    golden_of: Mapping[tuple[str, str, str], str],
    goldens: Mapping[str, GoldenRecord],
) -> list[Related]:
    """Each (role, record) once, resolved to its golden record when that record exists."""
    seen: set[tuple[str, str]] = set()
    related: list[Related] = []
    for entity, role, source, source_id in references:
        golden_id = golden_of.get((entity, source, source_id))
        key = (role, golden_id or f"{source}:{source_id}")
        if key not in seen:
            seen.add(key)
            related.append(
                Related(
                    role,
                    golden_id,
                    source,
                    source_id,
                    golden_view.values(goldens.get(golden_id or "")),
                )
            )
    return sorted(related, key=lambda r: (r.role, r.golden_id or "", r.source or ""))


def _parties(
    golden_id: str,
    outgoing: Sequence[Related],
    incoming: Sequence[tuple[str, str]],
    goldens: Mapping[str, GoldenRecord],
) -> list[Related]:
    """Parties this customer names (employer, household) and those naming it (employees,
    household members), never the customer itself."""
    named = [
        Related(REVERSE_ROLES[role], other, attributes=golden_view.values(goldens.get(other)))
        for role, other in sorted(set(incoming))
    ]
    known = {(r.role, r.golden_id) for r in outgoing}
    return [r for r in outgoing if r.golden_id != golden_id] + [
        r for r in named if r.golden_id != golden_id and (r.role, r.golden_id) not in known
    ]


def _timeline(
    session: Session, summaries: Sequence[interactions_repo.Summary], query: TimelineQuery
) -> tuple[int, list[Interaction]]:
    """Newest first, filtered, one page read in full; and how many match the filters."""
    chosen = sorted(
        (
            s
            for s in summaries
            if (not query.types or s.type in query.types)
            and (not query.channels or s.channel in query.channels)
        ),
        key=lambda s: (s.occurred_at, s.id),
        reverse=True,
    )
    page = [s.id for s in chosen[query.offset : query.offset + query.limit]]
    rows = interactions_repo.by_ids(session, page)
    return len(chosen), [rows[i] for i in page]


def _quality(golden: GoldenRecord, members: Sequence[SourceRecord]) -> list[QualityFlag]:
    flags: list[QualityFlag] = []
    by_key = {(m.source, m.source_id): m for m in members}
    for attribute, feature in CONTACT_FEATURES.items():
        chosen = golden.attributes.get(attribute)
        if chosen is None:
            flags.append(QualityFlag(attribute, "missing"))
            continue
        member = by_key.get((chosen["source"], chosen["source_id"]))
        if member is not None and feature not in member.features:
            flags.append(QualityFlag(attribute, "invalid", [_value_of(member, attribute)]))
    for feature in CONFLICT_FEATURES:
        holders: dict[str, list[SourceRecord]] = defaultdict(list)
        for member in members:
            if member.features.get(feature):
                holders[member.features[feature]].append(member)
        if len(holders) > 1:
            flags.append(
                QualityFlag(
                    feature,
                    "conflicting",
                    [_value_of(m, feature) for value in sorted(holders) for m in holders[value]],
                )
            )
    return flags


def _value_of(member: SourceRecord, attribute: str) -> dict[str, str]:
    return {
        "value": str(member.attributes.get(attribute, member.features.get(attribute, ""))),
        "source": member.source,
        "source_id": member.source_id,
    }


def _is_open(case: interactions_repo.Summary) -> bool:
    return case.resolved_at is None and (case.status or "").lower() not in CLOSED_STATUSES


def _indicators(
    summaries: Sequence[interactions_repo.Summary], members: Sequence[SourceRecord]
) -> Indicators:
    now = utcnow()
    cases = [s for s in summaries if s.type in SERVICE_CASES]
    open_cases = [c for c in cases if _is_open(c)]
    resolved = [c.resolved_at - c.occurred_at for c in cases if c.resolved_at is not None]
    purchases = [s for s in summaries if s.type == InteractionType.PURCHASE]
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for purchase in purchases:
        if purchase.amount is not None and purchase.currency:
            spent[purchase.currency] += purchase.amount
    when = [s.occurred_at for s in summaries]
    seen = when + [m.created_at for m in members] + [m.updated_at for m in members]
    return Indicators(
        open_complaints=sum(c.type in COMPLAINTS for c in open_cases),
        open_requests=sum(c.type in REQUESTS for c in open_cases),
        overdue_cases=sum(c.due_at is not None and c.due_at < now for c in open_cases),
        average_resolution_hours=(
            sum(resolved, timedelta()) / len(resolved) / timedelta(hours=1) if resolved else None
        ),
        last_contact=max(when, default=None),
        purchase_count=len(purchases),
        total_spent=dict(sorted(spent.items())),
        first_seen=min(seen, default=None),
        last_seen=max(seen, default=None),
    )


def _next_due(summaries: Sequence[interactions_repo.Summary]) -> datetime | None:
    now = utcnow()
    return min(
        (
            s.due_at
            for s in summaries
            if s.type in SERVICE_CASES and _is_open(s) and s.due_at is not None and s.due_at > now
        ),
        default=None,
    )


_SOURCE_FIELDS = (
    "entity",
    "source",
    "source_id",
    "version",
    "deleted",
    "golden_id",
    "link_method",
    "link_score",
    "attributes",
    "created_at",
    "updated_at",
)
_INTERACTION_FIELDS = (
    "source",
    "interaction_id",
    "customer_source",
    "customer_source_id",
    "type",
    "channel",
    "occurred_at",
    "amount",
    "currency",
    "product_source",
    "product_source_id",
    "status",
    "due_at",
    "resolved_at",
    "text",
    "attributes",
)


def document(view: View360) -> dict[str, Any]:
    """The answer as the API sends it (its schema is `Customer360Out`): one rendering for the
    live read and for the views kept ready, so the two cannot drift apart."""
    answer: dict[str, Any] = {
        "id": view.golden_id,
        "requested_id": view.requested_id,
        "status": view.golden.status,
        "version": view.golden.version,
    }
    if Section.GOLDEN in view.sections:
        answer["attributes"] = view.golden.attributes
    if Section.SOURCES in view.sections:
        answer["sources"] = [{f: getattr(m, f) for f in _SOURCE_FIELDS} for m in view.members]
    for name, items in (
        ("quality", view.quality),
        ("addresses", view.addresses),
        ("products", view.products),
        ("related", view.related),
    ):
        if items is not None:
            answer[name] = [asdict(item) for item in items]
    if view.interactions is not None:
        answer["interactions"] = {
            "total": view.interactions_total or 0,
            "offset": view.timeline.offset,
            "items": [{f: getattr(i, f) for f in _INTERACTION_FIELDS} for i in view.interactions],
        }
    if view.indicators is not None:
        answer["indicators"] = asdict(view.indicators)
    return answer


def _decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render(answer: Any) -> bytes:
    """JSON as the API's schemas write it: UTC times with a Z, amounts as strings."""
    return orjson.dumps(answer, default=_decimal, option=orjson.OPT_UTC_Z)


def render_masked(body: bytes) -> bytes:
    """A rendered answer with its sensitive values masked (see domain/masking)."""
    return render(masked(orjson.loads(body)))
