"""Webhook subscriptions (admins): register a URL, see what was delivered, replay."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from mdmhub.api.deps import AUTH_RESPONSES, AdminDep, SessionDep, WriteSessionDep
from mdmhub.api.schemas import (
    DeliveryOut,
    ErrorOut,
    ReplayIn,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from mdmhub.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses=AUTH_RESPONSES)

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}


@router.post(
    "",
    response_model=WebhookCreatedOut,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ErrorOut}},
    summary="Subscribe a URL to the change feed",
)
def create(actor: AdminDep, body: WebhookIn, session: WriteSessionDep) -> WebhookCreatedOut:
    """The answer holds the signing secret; no later answer shows it again."""
    created = webhooks.create(
        session,
        actor,
        url=body.url,
        event_types=body.event_types,
        entities=body.entities,
        from_cursor=body.from_cursor,
    )
    out = WebhookOut.model_validate(created.subscription)
    return WebhookCreatedOut(**out.model_dump(), secret=created.secret)


@router.get("", response_model=list[WebhookOut])
def list_all(actor: AdminDep, session: SessionDep) -> list[WebhookOut]:
    return [WebhookOut.model_validate(s) for s in webhooks.get_all(session)]


@router.get("/{webhook_id}", response_model=WebhookOut, responses=NOT_FOUND)
def read(actor: AdminDep, webhook_id: str, session: SessionDep) -> WebhookOut:
    return WebhookOut.model_validate(webhooks.get(session, webhook_id))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    summary="Deactivate a subscription (its delivery log stays)",
)
def deactivate(actor: AdminDep, webhook_id: str, session: WriteSessionDep) -> Response:
    webhooks.deactivate(session, actor, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut], responses=NOT_FOUND)
def deliveries(
    actor: AdminDep,
    webhook_id: str,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryOut]:
    """Every attempt, the newest first."""
    return [DeliveryOut.model_validate(d) for d in webhooks.deliveries(session, webhook_id, limit)]


@router.post(
    "/{webhook_id}/replay",
    response_model=WebhookOut,
    responses={**NOT_FOUND, 409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    summary="Deliver again the events after a cursor",
)
def replay(
    actor: AdminDep, body: ReplayIn, webhook_id: str, session: WriteSessionDep
) -> WebhookOut:
    return WebhookOut.model_validate(webhooks.replay(session, actor, webhook_id, body.after))
