"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from typing import cast

from sqlalchemy import CursorResult
from sqlalchemy import DateTime
from sqlalchemy import Result
from sqlalchemy import text
from sqlalchemy.types import TypeDecorator

from app.core.time import utcnow as utcnow  # the clock, re-exported where the models read it

# The database default of text columns added to tables that already had rows. Spelled as SQL: a
# bare "" would be read back from SQLite as "''" and look like a different default to Alembic.
EMPTY_TEXT = text("''")


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: the compare-and-set answer.

    `Session.execute` is typed as returning any result, though for these statements it is a
    cursor result, which carries the count.
    """
    return cast(CursorResult[Any], result).rowcount


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned time-zone aware.

    SQLite forgets the zone of a stored value; normalising here means the rest
    of the code can compare and convert datetimes without asking where they came from.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: attach a time zone first")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
