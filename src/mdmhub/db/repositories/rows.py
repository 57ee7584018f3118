"""Plain rows for the hottest reads (candidates while matching, a search's hits).

`Session.execute` runs even a select of columns through the ORM: compiling its state and
loading each row cost more than the database spent answering. These reads run on the
session's own connection instead, in the same transaction.
"""

from collections.abc import Mapping
from typing import Any, TypeVarTuple

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TypedReturnsRows

Ts = TypeVarTuple("Ts")


def select_rows(
    session: Session, statement: TypedReturnsRows[*Ts], parameters: Mapping[str, Any]
) -> CursorResult[*Ts]:
    """Changes pending in the session are flushed first, as `Session.execute` would."""
    session.flush()
    return session.connection().execute(statement, parameters)
