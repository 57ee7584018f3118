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
from mdmhub.db.repositories import golden as golden_repo
from mdmhub.db.repositories import overrides as overrides_repo
from mdmhub.db.repositories import records as records_repo
from mdmhub.db.repositories import review_tasks as review_tasks_repo
from mdmhub.domain.actors import Actor
from mdmhub.domain.entities import EntityType
from mdmhub.domain.golden import GoldenStatus
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
) -> tuple[int, list[TaskView]]:
    total, tasks = review_tasks_repo.page(
        session, entity.value, status, kind, highest_score_first, offset, limit
    )
    return total, views(session, tasks)


def _task(session: Session, task_id: int) -> ReviewTask:
    task = review_tasks_repo.get(session, task_id)
    if task is None:
        raise NotFoundError(f"no review task {task_id}")
    return task


def views(session: Session, tasks: Sequence[ReviewTask]) -> list[TaskView]:
    """Tasks with both their records (and so their golden ids), fetched in one query."""
    ids = [t.left_record_id for t in tasks] + [
        t.right_record_id for t in tasks if t.right_record_id is not None
    ]
    records = records_repo.by_ids(session, ids)
    return [
        TaskView(
            t,
            records[t.left_record_id],
            records[t.right_record_id] if t.right_record_id is not None else None,
            None,
        )
        for t in tasks
    ]


def get_task(session: Session, task_id: int, settings: Settings) -> TaskView:
    """The task with both records and why they scored as they did."""
    view = views(session, [_task(session, task_id)])[0]
    if view.right is None:
        return view
    left, right = view.left, view.right
    explanation = explain.explain_records(
        session,
        EntityType(view.task.entity),
        settings,
        (left.source, left.source_id),
        (right.source, right.source_id),
    )
    return TaskView(view.task, left, right, explanation)


def decide(
    session: Session, task_id: int, decision: ReviewDecision, comment: str | None, actor: Actor
) -> ReviewTask:
    task = _task(session, task_id)
    entity = EntityType(task.entity)
    change = Change.now(entity, "review.decide", actor)
    if task.status != ReviewStatus.OPEN:
        raise ConflictError(f"review task {task_id} was already decided: {task.decision}")
    kind = ReviewKind(task.kind)
    if decision not in DECISIONS[kind]:
        allowed = ", ".join(sorted(DECISIONS[kind]))
        raise InvalidInputError(f"a {kind} task takes {allowed}", field="decision")
    view = views(session, [task])[0]
    left, right = view.left, view.right
    if right is not None:
        if left.deleted or right.deleted:
            raise ConflictError("one of the two records was deleted since; nothing to decide")
        if decision is ReviewDecision.MATCH:
            if left.golden_id != right.golden_id:
                steward_actions.merge(session, change, left.golden_id, right.golden_id, comment)
        else:
            steward_actions.keep_apart(session, change, left, right)
    elif decision is ReviewDecision.ACCEPT_SOURCE and task.golden_id is not None:
        attribute = str(task.detail["attribute"])
        golden = golden_repo.get(session, task.golden_id)
        in_force = overrides_repo.active(session, [task.golden_id]).get(task.golden_id, {})
        if golden is not None and golden.status == GoldenStatus.ACTIVE and attribute in in_force:
            overrides.remove(session, change, task.golden_id, attribute)
    task.status = ReviewStatus.DECIDED
    task.decision = decision
    task.comment = comment
    task.decided_by = change.actor.name
    task.decided_at = change.at
    session.flush()
    audit.record_change(
        session, change, "review.decide", str(task_id), {"decision": decision, "comment": comment}
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
