"""SQL conditions the services share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import any_
from sqlalchemy import literal
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db


def one_of(column: Any, ids: Select | Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids`, for a subquery or a short list of ids.

    On PostgreSQL a list travels as one array parameter (`= ANY(...)`): the statement's text is
    the same whatever the list's length, so the driver prepares it once and the server plans it
    once, where an IN list would be a new statement, rendered and planned anew, for every page.
    SQLite has no arrays and gets the IN list.
    """
    if isinstance(ids, Select) or db.session.get_bind().dialect.name != "postgresql":
        return column.in_(ids)
    return column == any_(literal(list(ids), ARRAY(Integer)))
