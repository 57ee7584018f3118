"""Bulk helpers shared by the repositories.

A bulk load writes hundreds of thousands of rows per run (records, versions,
blocking keys). SQLAlchemy's per-row parameter handling cost more than the
database's own work, so rows go to the driver directly: PostgreSQL's COPY, and
SQLite's executemany. Values still pass through each column type's own bind
processor, so what is stored is exactly what an ORM insert would store.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, Column, Connection, Table, UniqueConstraint, insert, inspect, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

from mdmhub.db.base import Base
from mdmhub.db.repositories.value_lists import unbounded

T = TypeVar("T")
M = TypeVar("M", bound=Base)

IN_CHUNK = 500
"""Values per IN (...) list: well under SQLite's bound-parameter limit."""


DRIVER_FROM_ROWS = 50
"""Fewer rows go through a plain INSERT: a COPY costs more round trips than it saves."""

ANALYZE_FROM_ROWS = 1000
"""After a COPY this big, PostgreSQL gets fresh statistics at once: until autovacuum
catches up, the planner takes a growing table for empty and scans it whole."""


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _converter(column: Column[Any], connection: Connection) -> Callable[[Any], Any] | None:
    if connection.dialect.name == "postgresql" and isinstance(column.type, JSON):
        return _json_text  # COPY takes JSON as text; psycopg's Jsonb wrapper is slower
    dialect = connection.dialect
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(
        dialect
    )
    return processor


_NOTHING = object()


def _converted(convert: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """Column by column, and a value that is the very object of the row before (the one
    timestamp of a whole chunk) converted once."""
    converted: list[Any] = []
    last: Any = _NOTHING
    last_converted: Any = None
    for value in values:
        if value is not last:
            last, last_converted = value, convert(value)
        converted.append(last_converted)
    return converted


def _outgrown(connection: Connection, table: Table) -> bool:
    """The table has no PostgreSQL statistics yet, or has more than doubled in size since
    they were taken. In between, the planner scales their row estimates by the table's
    size on its own; an ANALYZE after every chunk of a load cost as much as the chunk's
    candidate queries."""
    described, pages = connection.exec_driver_sql(
        "SELECT relpages, pg_relation_size(oid) / current_setting('block_size')::int"
        " FROM pg_class WHERE oid = %s::regclass",
        (table.name,),
    ).one()
    return bool(described <= 0 or pages > 2 * described)


def _indexed(table: Table) -> list[str]:
    """The columns lookups filter on; sampling the big JSON columns would cost ten times more."""
    names = {c.name for c in table.primary_key}
    names |= {c.name for index in table.indexes for c in index.columns}
    names |= {
        c.name
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
        for c in constraint.columns
    }
    return sorted(names)


def new_ids(session: Session, model: type[Base], count: int) -> list[int]:
    """Ids for `count` rows of `model` about to go in bulk, which returns none: PostgreSQL
    draws them from the id column's sequence; SQLite counts on from the largest id, which
    no other writer can take meanwhile (`write_transaction` holds its writer lock)."""
    table: Table = model.__table__  # type: ignore[assignment]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table.name, count),
        )
        return [id_ for (id_,) in drawn]
    largest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}")
    start = int(largest.scalar_one()) + 1
    return list(range(start, start + count))


def insert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    looked_up: bool = False,
) -> None:
    """Insert rows that all name the same columns.

    `looked_up` tables are queried by the next chunk of a load; on PostgreSQL
    their planner statistics are refreshed after a big insert.
    """
    if not rows:
        return
    table: Table = model.__table__  # type: ignore[assignment]
    connection = session.connection()
    if len(rows) < DRIVER_FROM_ROWS:
        connection.execute(insert(table), list(rows))
        return
    columns = _columns_named(table, rows[0])
    values = list(zip(*_by_column(connection, columns, rows), strict=True))
    _to_driver(connection, table, [c.name for c in columns], values, looked_up)


def insert_values(
    session: Session,
    model: type[Base],
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    *,
    looked_up: bool = False,
) -> None:
    """`insert_rows` for rows given as tuples in the order of `names`, of values no column
    type converts (numbers, strings): a load's blocking keys (304,633 for the 50k) skip a
    dict each, and turning the dicts into tuples."""
    if len(values) < DRIVER_FROM_ROWS:
        rows = [dict(zip(names, row, strict=True)) for row in values]
        insert_rows(session, model, rows, looked_up=looked_up)
        return
    table: Table = model.__table__  # type: ignore[assignment]
    _columns_named(table, dict.fromkeys(names))  # refuses a name that is no column
    _to_driver(session.connection(), table, names, values, looked_up)


def _to_driver(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    looked_up: bool,
) -> None:
    listed = ", ".join(names)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({listed}) FROM STDIN") as copy,
        ):
            for value in values:
                copy.write_row(value)
        if looked_up and len(values) >= ANALYZE_FROM_ROWS and _outgrown(connection, table):
            connection.exec_driver_sql(f"ANALYZE {table.name} ({', '.join(_indexed(table))})")
    else:
        placeholders = ", ".join("?" for _ in names)
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({listed}) VALUES ({placeholders})", values
        )


def _by_column(
    connection: Connection, columns: Sequence[Column[Any]], rows: Sequence[dict[str, Any]]
) -> list[list[Any]]:
    """Each column's values as the driver takes them: a column's Python-side default is
    not applied, so rows give every column without a server default."""
    by_column = [[row[c.name] for row in rows] for c in columns]
    for index, column in enumerate(columns):
        convert = _converter(column, connection)
        if convert is not None:
            by_column[index] = _converted(convert, by_column[index])
    return by_column


def _columns_named(table: Table, row: Mapping[str, Any]) -> list[Column[Any]]:
    """A name that is no column is refused, as an ORM insert refuses it, rather than left
    out of what the driver gets."""
    unknown = row.keys() - table.columns.keys()
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    return [c for c in table.columns if c.name in row]


def insert_new_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all name the same columns, leaving out those a unique constraint
    already holds (a possible match queued before).

    PostgreSQL takes them as one INSERT ... SELECT FROM unnest(an array per column), so a
    column's values must be of one Python type (psycopg refuses a list mixing int and
    float). As a statement per row, the ~21,000 possible matches the 50k queue cost the
    server ~0.4 s of CPU and the database ~0.3 s: REST batches went 3,027-3,177 ->
    3,197-3,310 rec/s."""
    if not rows:
        return
    session.flush()  # the records the rows refer to may still be pending
    table: Table = model.__table__  # type: ignore[assignment]
    columns = _columns_named(table, rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
        return
    statement = _unnest_insert(table, tuple(columns), connection.dialect)
    connection.exec_driver_sql(statement, tuple(_by_column(connection, columns, rows)))


@lru_cache(maxsize=16)
def _unnest_insert(table: Table, columns: tuple[Column[Any], ...], dialect: Dialect) -> str:
    names = ", ".join(c.name for c in columns)
    arrays = ", ".join(f"%s::{_array_type(c, dialect)}" for c in columns)
    # JSON travels as text (see `_converter`); text has no implicit cast to JSONB.
    values = ", ".join(f"{c.name}::jsonb" if isinstance(c.type, JSON) else c.name for c in columns)
    return (
        f"INSERT INTO {table.name} ({names}) SELECT {values}"
        f" FROM unnest({arrays}) AS given ({names}) ON CONFLICT DO NOTHING"
    )


def _array_type(column: Column[Any], dialect: Dialect) -> str:
    """Strings without their length (`value_lists.unbounded`), so a longer value reaches the
    insert, which refuses it, instead of being cut by the cast."""
    if isinstance(column.type, JSON):
        return "text[]"
    return str(ARRAY(unbounded(column.type)).compile(dialect=dialect))


@dataclass(frozen=True)
class DriverStatement:
    """A module-level statement compiled once per database kind, to hand to the driver."""

    sql: str
    defaults: Mapping[str, Any]
    order: tuple[str, ...] | None
    """The parameters' names in positional order; None when the driver takes them by name."""

    def arguments(self, values: Mapping[str, Any]) -> dict[str, Any] | tuple[Any, ...]:
        merged = {**self.defaults, **values}
        return merged if self.order is None else tuple(merged[name] for name in self.order)


@lru_cache(maxsize=64)
def for_driver(statement: ClauseElement, dialect: Dialect) -> DriverStatement:
    """Compiling took longer than the statements themselves on the hot paths that use this
    (a single record's view marks, a ready 360 read)."""
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return DriverStatement(str(compiled), compiled.params, order)


def execute_many(
    session: Session, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run one module-level statement for each of `rows` (bind name -> value, plain strings
    and numbers that need no conversion), handed to the driver's executemany."""
    if not rows:
        return
    connection = session.connection()
    query = for_driver(statement, connection.dialect)
    connection.exec_driver_sql(query.sql, [query.arguments(row) for row in rows])


def by_ids(session: Session, model: type[M], ids: Iterable[Any]) -> dict[Any, M]:
    """Rows of `model` by their (single-column) primary key, fetched in chunks of IN (...)."""
    key = inspect(model).primary_key[0]
    found: dict[Any, M] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in session.scalars(select(model).where(key.in_(chunk))):
            found[getattr(row, key.name)] = row
    return found
