"""Pickling for the small frozen dataclasses a first load's worker sends by the thousand.

A slotted dataclass pickles through `dataclasses`' generic state functions, which look up
its fields for every object. A chunk of 5,000 records with their assignments and review
pairs took 45 ms to pickle and 34 ms to unpickle that way; 27 ms and 23 ms pickled as a
call of the class with its fields, on both sides of the pipe.
"""

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

C = TypeVar("C", bound=type)


def as_constructor_call(cls: C) -> C:
    """Make the dataclass `cls` pickle as a call of `cls` with its fields in order: every
    field is an argument of its constructor."""
    names = [f.name for f in fields(cls)]
    values = attrgetter(*names)

    def reduce(self: Any) -> tuple[C, tuple[Any, ...]]:
        return cls, values(self) if len(names) > 1 else (values(self),)

    setattr(cls, "__reduce__", reduce)  # noqa: B010 - mypy refuses assigning a method
    return cls
