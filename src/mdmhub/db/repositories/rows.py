"""Plain rows for the hottest reads (candidates while matching, a search's hits, a ready
360 view).

`Session.execute` runs even a select of columns through the ORM: compiling its state and
loading each row cost more than the database spent answering. These reads run on the
session's own connection instead, in the same transaction; the very hottest, one row by
key, on the driver's own cursor.
"""

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVarTuple, cast

from sqlalchemy import Connection, CursorResult, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TypedReturnsRows

from mdmhub.db.repositories.bulk import for_driver

Ts = TypeVarTuple("Ts")
Processor = Callable[[Any], Any] | None


def select_rows(
    session: Session, statement: TypedReturnsRows[*Ts], parameters: Mapping[str, Any]
) -> CursorResult[*Ts]:
    """Changes pending in the session are flushed first, as `Session.execute` would."""
    session.flush()
    return session.connection().execute(statement, parameters)


@lru_cache(maxsize=64)
def _processors(
    statement: Select[*Ts], dialect: Dialect, type_codes: tuple[Any, ...]
) -> tuple[Processor, ...]:
    """Each column's result processor, for the driver's type codes of its values."""
    return tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, type_code)
        for column, type_code in zip(statement.selected_columns, type_codes, strict=True)
    )


def first_row(
    connection: Connection, statement: Select[*Ts], parameters: Mapping[str, Any]
) -> tuple[*Ts] | None:
    """The first row of `statement`, read on the driver's cursor: for a ready 360 view,
    SQLAlchemy's statement and result handling cost about a tenth of the server's time per
    read. PostgreSQL sends the row in binary, where a bytea body travels as it is rather
    than hex-encoded at twice its size. Values go through their columns' result
    processors as SQLAlchemy's would; a driver error comes out as SQLAlchemy's, and a lost
    connection is invalidated (`session.lookup` then tries again on a fresh one)."""
    dialect = connection.dialect
    query = for_driver(statement, dialect)
    sql, arguments = query.sql, query.arguments(parameters)
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        if dialect.name == "postgresql":
            cursor = driver.execute(sql, arguments, binary=True)
        else:
            cursor = driver.execute(sql, arguments)
        row = cursor.fetchone()
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, arguments, error, dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from error
    if row is None:
        return None
    processors = _processors(statement, dialect, tuple(c[1] for c in cursor.description))
    values = tuple(
        value if process is None else process(value)
        for value, process in zip(row, processors, strict=True)
    )
    return cast("tuple[*Ts]", values)
