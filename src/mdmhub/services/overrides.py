"""Pinning a golden attribute to a steward's value, and taking the pin away.

The pin wins over every source until it is removed; a source that later says
something new about the attribute opens a review task (see golden_records).
"""

from sqlalchemy.orm import Session

from mdmhub.db.models import Override
from mdmhub.db.repositories import overrides as overrides_repo
from mdmhub.errors import NotFoundError
from mdmhub.services import audit, golden_records
from mdmhub.services.golden_records import Change
from mdmhub.services.steward_actions import active_golden


def pin(
    session: Session, change: Change, golden_id: str, attribute: str, value: str, reason: str
) -> None:
    active_golden(session, change, golden_id)
    overrides_repo.remove(session, golden_id, attribute, change.actor.name, change.at)
    overrides_repo.add(
        session,
        Override(
            golden_id=golden_id,
            attribute=attribute,
            value=value,
            reason=reason,
            created_by=change.actor.name,
            created_at=change.at,
        ),
    )
    golden_records.refresh(session, change, {golden_id})
    audit.record_change(
        session,
        change,
        "golden.override.pin",
        golden_id,
        {"attribute": attribute, "reason": reason},
    )


def remove(session: Session, change: Change, golden_id: str, attribute: str) -> None:
    active_golden(session, change, golden_id)
    if not overrides_repo.remove(session, golden_id, attribute, change.actor.name, change.at):
        raise NotFoundError(f"golden record {golden_id} has no override on {attribute!r}")
    golden_records.refresh(session, change, {golden_id})
    audit.record_change(
        session, change, "golden.override.remove", golden_id, {"attribute": attribute}
    )
