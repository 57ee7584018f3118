"""The review queue: what the machine left to a steward, and the steward's decisions.

A decision binds every later ingest and re-match: a match merges the two golden
records and pins their members; a no-match pins both records and keeps their
golden records apart for good. Decided pairs are labelled pairs to train on.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mdmhub.db.models import ReviewTask, SourceRecord
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import review_tasks as review_tasks_repo
from mdmhub.domain.entities import EntityType
from mdmhub.domain.review import ReviewDecision, ReviewKind, ReviewStatus
from mdmhub.engine.explanation import Explanation
from mdmhub.errors import ConflictError, InvalidInputError, NotFoundError
from mdmhub.services import audit, explain, overrides, steward_actions
from mdmhub.services.golden_records import Change
from mdmhub.settings import Settings

DECISIONS = {
    ReviewKind.POSSIBLE_MATCH: {ReviewDecision.MATCH, ReviewDecision.NO_MATCH},
    ReviewKind.OVERRIDE_CONFLICT: {ReviewDecision.KEEP_OVERRIDE, ReviewDecision.ACCEPT_SOURCE},
}


def open_possible_matches(
    session: Session,
    change: Change,
    record_ids: Sequence[int],
    pairs: Sequence[tuple[int, int, float]],
) -> None:
    """Queue the review-band pairs the clustering kept apart (indexes into `record_ids`)."""
    rows: dict[str, dict[str, Any]] = {}
    for left, right, probability in pairs:
        low, high = sorted((record_ids[left], record_ids[right]))
        key = f"{low}:{high}"
        rows[key] = {
            "entity": change.entity.value,
            "kind": ReviewKind.POSSIBLE_MATCH,
            "status": ReviewStatus.OPEN,
            "left_record_id": low,
            "right_record_id": high,
            "golden_id": None,
            "score": probability,
            "detail": {},
            "pair_key": key,
            "created_at": change.at,
        }
    review_tasks_repo.add(session, list(rows.values()))


@dataclass(frozen=True)
class TaskView:
    task: ReviewTask
    left: SourceRecord
    right: SourceRecord | None
    explanation: Explanation | None


def list_tasks(
    session: Session,
    entity: EntityType,
    status: ReviewStatus | None,
    kind: ReviewKind | None,
    highest_score_first: bool,
    offset: int,
    limit: int,
) -> tuple[int, list[ReviewTask]]:
    total, tasks = review_tasks_repo.page(
        session, entity.value, status, kind, highest_score_first, offset, limit
    )
    return total, list(tasks)


def _task(session: Session, entity: EntityType, task_id: int) -> ReviewTask:
    task = review_tasks_repo.get(session, task_id)
    if task is None or task.entity != entity.value:
        raise NotFoundError(f"no {entity.value} review task {task_id}")
    return task


def _record(session: Session, record_id: int | None) -> SourceRecord:
    record = records_repo.by_id(session, record_id) if record_id is not None else None
    if record is None:
        raise NotFoundError(f"review task refers to a missing record {record_id}")
    return record


def get_task(session: Session, entity: EntityType, task_id: int, settings: Settings) -> TaskView:
    """The task with both records (and so their golden ids) and why they scored as they did."""
    task = _task(session, entity, task_id)
    left = _record(session, task.left_record_id)
    if task.right_record_id is None:
        return TaskView(task, left, None, None)
    right = _record(session, task.right_record_id)
    explanation = explain.explain_records(
        session, entity, settings, (left.source, left.source_id), (right.source, right.source_id)
    )
    return TaskView(task, left, right, explanation)


def decide(
    session: Session,
    entity: EntityType,
    task_id: int,
    decision: ReviewDecision,
    comment: str | None,
    change: Change,
) -> ReviewTask:
    task = _task(session, entity, task_id)
    if task.status != ReviewStatus.OPEN:
        raise ConflictError(f"review task {task_id} was already decided: {task.decision}")
    kind = ReviewKind(task.kind)
    if decision not in DECISIONS[kind]:
        allowed = ", ".join(sorted(DECISIONS[kind]))
        raise InvalidInputError(f"a {kind} task takes {allowed}", field="decision")
    left = _record(session, task.left_record_id)
    if kind is ReviewKind.POSSIBLE_MATCH:
        right = _record(session, task.right_record_id)
        if left.deleted or right.deleted:
            raise ConflictError("one of the two records was deleted since; nothing to decide")
        if decision is ReviewDecision.MATCH:
            if left.golden_id != right.golden_id:
                steward_actions.merge(session, change, left.golden_id, right.golden_id, comment)
        else:
            steward_actions.keep_apart(session, change, left, right)
    elif decision is ReviewDecision.ACCEPT_SOURCE and task.golden_id is not None:
        overrides.remove(session, change, task.golden_id, str(task.detail["attribute"]))
    task.status = ReviewStatus.DECIDED
    task.decision = decision
    task.comment = comment
    task.decided_by = change.actor.name
    task.decided_at = change.at
    session.flush()
    audit.record(
        session,
        change.actor,
        "review.decide",
        entity=entity.value,
        target=str(task_id),
        detail={"decision": decision, "comment": comment},
    )
    return task


def labelled_pairs(session: Session, entity: EntityType) -> Iterator[dict[str, Any]]:
    """Decided possible matches as training pairs (`mdmhub train --pairs` reads this form)."""
    for left, right, decision in review_tasks_repo.decided_pairs(session, entity.value):
        yield {
            "left": left,
            "right": right,
            "label": 1 if decision == ReviewDecision.MATCH else 0,
        }
