"""Taking in interactions (purchases, complaints, requests, calls …) from any source.

Idempotent by (source, interaction id): the same content again changes nothing.
The customer is named by the source's own record id and need not exist yet;
the interaction shows in that customer's 360 view as soon as the record does.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from mdmhub.db.base import utcnow
from mdmhub.db.models import Interaction
from mdmhub.db.repositories import interactions as interactions_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import sources as sources_repo
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.interactions import InteractionInput, check_interaction, normalised
from mdmhub.domain.records import Outcome, Problem
from mdmhub.errors import NotFoundError
from mdmhub.services import audit


@dataclass(frozen=True)
class InteractionResult:
    index: int
    source: str
    interaction_id: str
    outcome: Outcome | None = None
    golden_id: str | None = None
    """The golden customer it belongs to now (None while the customer record is unknown)."""
    problems: tuple[Problem, ...] = ()


def _customer(item: InteractionInput) -> tuple[str, str]:
    """The customer record the interaction names: (source, source id)."""
    return item.customer_source or item.source, item.customer_source_id


def _problems(item: InteractionInput, known_sources: set[str], actor: Actor) -> list[Problem]:
    problems = check_interaction(item)
    if not actor.acts_for(item.source):
        problems.append(Problem("source", f"this key acts only for source {actor.source!r}"))
    for name in sorted({item.source, _customer(item)[0]}):
        if name not in known_sources:
            problems.append(Problem("source", f"unknown source {name!r}; register it first"))
    return problems


def _row(item: InteractionInput) -> dict[str, Any]:
    """The stored row of a normalised interaction, and its content hash: the same stored
    values hash the same, however the source wrote them (`10.0` or `10`, `Z` or `+00:00`)."""
    row = {
        "source": item.source,
        "interaction_id": item.interaction_id,
        "customer_source": item.customer_source,
        "customer_source_id": item.customer_source_id,
        "type": item.type.value,
        "channel": item.channel,
        "occurred_at": item.occurred_at,
        "amount": item.amount,
        "currency": item.currency,
        "product_source": item.product_source,
        "product_source_id": item.product_source_id,
        "status": item.status,
        "due_at": item.due_at,
        "resolved_at": item.resolved_at,
        "text": item.text,
        "attributes": item.attributes,
    }
    canonical = {
        **row,
        "amount": format(item.amount.normalize(), "f") if item.amount is not None else None,
    }
    digest = hashlib.sha256(
        orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS, default=str)
    ).hexdigest()
    return {**row, "content_hash": digest}


def upsert(
    session: Session, items: list[InteractionInput], actor: Actor
) -> list[InteractionResult]:
    now = utcnow()
    items = [normalised(i) for i in items]
    names = {i.source for i in items} | {_customer(i)[0] for i in items}
    known = set(sources_repo.trust_by_name(session, names))
    stored = interactions_repo.hashes(session, [(i.source, i.interaction_id) for i in items])
    golden = records_repo.golden_ids(
        session, EntityType.CUSTOMER.value, [_customer(i) for i in items]
    )
    seen: set[tuple[str, str]] = set()
    results: list[InteractionResult] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        key = (item.source, item.interaction_id)
        problems = _problems(item, known, actor)
        if key in seen:
            problems.append(Problem("interaction_id", "appears more than once in this batch"))
        seen.add(key)
        if problems:
            results.append(InteractionResult(index, *key, problems=tuple(problems)))
            continue
        row = _row(item)
        if key not in stored:
            inserts.append({**row, "created_at": now, "updated_at": now})
            outcome = Outcome.CREATED
        elif stored[key] != row["content_hash"]:
            updates.append({**row, "updated_at": now})
            outcome = Outcome.UPDATED
        else:
            outcome = Outcome.UNCHANGED
        results.append(InteractionResult(index, *key, outcome, golden.get(_customer(item))))
    interactions_repo.insert_many(session, inserts)
    interactions_repo.update_many(session, updates)
    if inserts or updates:
        audit.record(
            session,
            actor,
            "interactions.upsert",
            detail={"created": len(inserts), "updated": len(updates)},
        )
    return results


def get(
    session: Session, actor: Actor, source: str, interaction_id: str
) -> tuple[Interaction, str | None]:
    """The interaction and the golden customer it belongs to now; another source's
    interactions do not exist for a source key."""
    found = interactions_repo.get(session, source, interaction_id)
    if found is None or not actor.acts_for(source):
        raise NotFoundError(f"no interaction {source}:{interaction_id}")
    golden = records_repo.golden_ids(
        session, EntityType.CUSTOMER.value, [(found.customer_source, found.customer_source_id)]
    )
    return found, golden.get((found.customer_source, found.customer_source_id))
