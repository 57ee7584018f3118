"""A column matched against a list of values given when the statement runs.

SQLAlchemy's expanding `IN` sends one bound parameter per value, so PostgreSQL parses and
plans a new statement for every length of list, and a long list costs more to plan than to
run: fetching the 1,310 candidates of a common name (María García) took 33 ms that way and
17 ms as `= ANY(array)`, one parameter and one prepared statement for every list. SQLite
has no arrays: there the list goes as one JSON array, `IN (SELECT value FROM json_each(?))`,
which SQLite probes the column's index with as it does an `IN` list. The expanding `IN`
made SQLAlchemy write the list's placeholders into the statement at every run: single
records, alternating, went 195-209 -> 217-225 rec/s from one client and 323-353 -> 341-403
from 16, REST batches 3,759-3,771 -> 3,898-3,940 rec/s.
"""

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    String,
    any_,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine


class OneOf(ColumnElement[bool]):
    """`column` equals one of the values bound to `parameter` (a list) at execution."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    _traverse_internals: list[tuple[str, InternalTraversal]] = [  # noqa: RUF012 as SQLAlchemy's
        ("column", InternalTraversal.dp_clauseelement),
        ("parameter", InternalTraversal.dp_string),
    ]
    """What SQLAlchemy's statement cache keys this element by. SQLAlchemy documents
    `inherit_cache` for subclasses that add no state; with state of its own an element
    names it here, which the cache then reads (a documented, if not fully public, way)."""

    def __init__(self, column: ColumnElement[Any], parameter: str) -> None:
        self.column = column
        self.parameter = parameter

    @property
    def _from_objects(self) -> list[Any]:
        """The column's table joins the FROM clause, as it would with `in_`."""
        return list(self.column._from_objects)


def one_of(column: ColumnElement[Any] | QueryableAttribute[Any], parameter: str) -> OneOf:
    """For columns PostgreSQL can compare with `=` (not JSON)."""
    return OneOf(column.expression, parameter)


_NUMPY = orjson.OPT_SERIALIZE_NUMPY


class _JsonList(TypeDecorator[list[Any]]):
    """A list bound as one JSON array, which SQLite's `json_each` reads back: strings and
    integers (numpy's too), as the columns `one_of` serves hold; a date would compare as
    its JSON text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else orjson.dumps(value, option=_NUMPY).decode()


@compiles(OneOf)
def _in_json_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.parameter, type_=_JsonList())
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(values, **kw)}))"


@compiles(OneOf, "postgresql")
def _any_of_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.parameter, type_=ARRAY(unbounded(element.column.type)))
    return compiler.process(element.column == any_(values), **kw)


def by_unique_key(
    columns: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
    where: Sequence[ColumnElement[bool]],
    column: QueryableAttribute[Any],
    parameter: str,
) -> dict[str, Select[Any]]:
    """Per dialect, the rows meeting `where` whose `column` is one of the values bound to
    `parameter`, where `where` and `column` pin at most one row (a unique key ending in
    `column`: a source and a source id). Give each value once: PostgreSQL answers a value
    given twice twice.

    PostgreSQL probes the key once per value (unnest ... JOIN LATERAL ... LIMIT 1). With
    `column = ANY(values)` its planner, estimating one row for a leading value its
    statistics have not seen (a new source until the next ANALYZE), reads every row of
    that value and filters them: 0.27 ms a single upsert at 2,000 records of a new source,
    growing with the source."""
    wanted = (
        func.unnest(bindparam(parameter, type_=ARRAY(unbounded(column.type))))
        .table_valued("value")
        .render_derived(name="wanted")
    )
    found = select(*columns).where(*where, column == wanted.c.value).limit(1).lateral("found")
    return {
        "sqlite": select(*columns).where(*where, one_of(column, parameter)),
        "postgresql": select(*found.c).select_from(wanted).join(found, true()),
    }


def unbounded(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    """Strings as plain VARCHAR: a cast to VARCHAR(n) cuts longer values silently (so one
    could match a row holding its first n characters), and a collation on the array would
    override the column's, whose index the comparison must use."""
    return String() if isinstance(column_type, String) else column_type
