"""Masked answers for the agents who may not see sensitive values (see domain/masking)."""

from typing import TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from mdmhub.domain.actors import Actor
from mdmhub.domain.masking import hides_sensitive, masked

M = TypeVar("M", bound=BaseModel)


def for_actor(actor: Actor, body: M, exclude_unset: bool = False) -> M | JSONResponse:
    """The body as is for those who may see everything; masked JSON for other agents."""
    if not hides_sensitive(actor):
        return body
    return JSONResponse(masked(body.model_dump(mode="json", exclude_unset=exclude_unset)))
