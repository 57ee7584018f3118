"""Agents read national ids and birth dates masked, unless their key may see them.

Masking happens on the way out, on the JSON an agent receives, so every read
path (golden records, history, 360, search and its explanations, the change
feed) masks the same way and a new endpoint cannot forget a field: any value
held under a sensitive attribute name, or in an item about a sensitive
attribute (a comparison, a change, a quality flag), is masked.
"""

from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from mdmhub.domain.actors import Actor, Role

SENSITIVE = frozenset({"national_id", "birth_date"})
VALUE_KEYS = frozenset({"value", "values", "before", "after", "left", "right", "source_value"})
KEPT = 2
"""Characters left visible at the end, enough to tell two ids apart on the phone."""


def mask(value: str) -> str:
    return "*" * max(len(value) - KEPT, 1) + value[-KEPT:] if len(value) > KEPT else "*" * 3


def _all_values(data: Any) -> Any:
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, list):
        return [_all_values(item) for item in data]
    if isinstance(data, dict):
        return {k: _all_values(v) if k in VALUE_KEYS else v for k, v in data.items()}
    return data


def masked(data: Any) -> Any:
    if isinstance(data, list):
        return [masked(item) for item in data]
    if not isinstance(data, dict):
        return data
    about = data.get("attribute", data.get("name"))
    if about in SENSITIVE:
        return _all_values(data)
    return {
        key: _all_values(value) if key in SENSITIVE else masked(value)
        for key, value in data.items()
    }


M = TypeVar("M", bound=BaseModel)


def for_actor(actor: Actor, body: M, exclude_unset: bool = False) -> M | JSONResponse:
    """The body as is for those who may see everything; masked JSON for other agents."""
    if actor.role is not Role.AGENT or actor.sees_sensitive:
        return body
    return JSONResponse(masked(body.model_dump(mode="json", exclude_unset=exclude_unset)))
