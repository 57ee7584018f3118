"""Agents read national ids and birth dates masked, unless their key may see them.

Masking works on the JSON an agent receives, so every read path (golden records,
history, 360, search and its explanations, the change feed, the stored 360 views)
masks the same way and a new one cannot forget a field: any value held under a
sensitive attribute name, or in an item about a sensitive attribute (a comparison,
a change, a quality flag), is masked.
"""

from typing import Any

from mdmhub.domain.actors import Actor, Role

SENSITIVE = frozenset({"national_id", "birth_date"})
VALUE_KEYS = frozenset({"value", "values", "before", "after", "left", "right", "source_value"})
KEPT = 2
"""Characters left visible at the end, enough to tell two ids apart on the phone."""


_CONTAINERS = (dict, list)


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
    """Recurses only into containers: an answer is mostly plain values, and a search or a
    360 read masks thousands of them."""
    if isinstance(data, list):
        return [masked(item) if isinstance(item, _CONTAINERS) else item for item in data]
    if not isinstance(data, dict):
        return data
    about = data.get("attribute", data.get("name"))
    if about in SENSITIVE:
        return _all_values(data)
    return {
        key: _all_values(value)
        if key in SENSITIVE
        else masked(value)
        if isinstance(value, _CONTAINERS)
        else value
        for key, value in data.items()
    }


def hides_sensitive(actor: Actor) -> bool:
    return actor.role is Role.AGENT and not actor.sees_sensitive
