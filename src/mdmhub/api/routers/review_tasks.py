"""The review queue: pairs the machine could not decide, and override conflicts."""

from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from mdmhub.api.deps import (
    AUTH_RESPONSES,
    MAX_ID,
    RowId,
    SessionDep,
    SettingsDep,
    StewardDep,
    WriteSessionDep,
)
from mdmhub.api.schemas import (
    DecisionIn,
    ErrorOut,
    ExplanationOut,
    ReviewTaskOut,
    ReviewTaskPageOut,
    SourceRecordOut,
)
from mdmhub.domain.entities import EntityType
from mdmhub.domain.review import ReviewDecision, ReviewKind, ReviewStatus
from mdmhub.services import review_queue
from mdmhub.services.review_queue import TaskView

router = APIRouter(responses=AUTH_RESPONSES, prefix="/v1/review-tasks", tags=["stewardship"])


def _out(view: TaskView) -> ReviewTaskOut:
    task = view.task
    return ReviewTaskOut(
        id=task.id,
        entity=task.entity,
        kind=ReviewKind(task.kind),
        status=ReviewStatus(task.status),
        score=task.score,
        golden_id=task.golden_id,
        detail=task.detail,
        left=SourceRecordOut.model_validate(view.left),
        right=SourceRecordOut.model_validate(view.right) if view.right else None,
        explanation=(ExplanationOut.model_validate(view.explanation) if view.explanation else None),
        decision=task.decision,
        comment=task.comment,
        decided_by=task.decided_by,
        decided_at=task.decided_at,
        created_at=task.created_at,
    )


@router.get("", response_model=ReviewTaskPageOut, summary="List review tasks, paged")
def list_tasks(
    actor: StewardDep,
    session: SessionDep,
    entity: Annotated[Literal["customer", "product", "address"], Query()] = "customer",
    status: Annotated[ReviewStatus | None, Query()] = ReviewStatus.OPEN,
    kind: Annotated[ReviewKind | None, Query()] = None,
    order: Annotated[Literal["oldest", "score"], Query()] = "oldest",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReviewTaskPageOut:
    """`order=score` puts the highest-scored pairs first. An open pair whose records have come
    together since (by another decision or a re-match) is not listed: nothing is left to decide."""
    total, views = review_queue.list_tasks(
        session, EntityType(entity), status, kind, order == "score", offset, limit
    )
    return ReviewTaskPageOut(total=total, offset=offset, tasks=[_out(v) for v in views])


@router.get(
    "/labelled-pairs",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
    summary="Decided pairs as JSON Lines training pairs (the form `mdmhub train --pairs` reads)",
)
def labelled_pairs(
    actor: StewardDep,
    session: SessionDep,
    entity: Annotated[Literal["customer", "product", "address"], Query()] = "customer",
) -> StreamingResponse:
    lines = [
        orjson.dumps(pair) + b"\n"
        for pair in review_queue.labelled_pairs(session, EntityType(entity))
    ]
    return StreamingResponse(iter(lines), media_type="application/x-ndjson")


@router.get(
    "/{task_id}",
    response_model=ReviewTaskOut,
    responses={404: {"model": ErrorOut}},
    summary="One task with both records, their golden ids and the per-attribute explanation",
)
def read(
    actor: StewardDep,
    task_id: RowId,
    session: SessionDep,
    settings: SettingsDep,
) -> ReviewTaskOut:
    return _out(review_queue.get_task(session, task_id, settings))


@router.post(
    "/{task_id}/decision",
    response_model=ReviewTaskOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Decide a task: match or no-match; keep-override or accept-source",
)
def decide(
    actor: StewardDep,
    task_id: RowId,
    body: DecisionIn,
    session: WriteSessionDep,
) -> ReviewTaskOut:
    """A match merges the two golden records; a no-match keeps them apart for good. Both pin
    the records, so no later ingest or re-match undoes the decision."""
    task = review_queue.decide(session, task_id, ReviewDecision(body.decision), body.comment, actor)
    return _out(review_queue.views(session, [task])[0])
