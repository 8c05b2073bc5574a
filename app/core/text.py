"""Text as people type it and as the app compares it: folded for search and slugs, in Python
and in the database."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# Letters that Unicode does not decompose into a base letter and an accent.
_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ø": "o", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case text without diacritics, so that "Łódź" and "lodz" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# The Polish letters and their bases, for the database's side of `fold` (PostgreSQL's translate).
_PL_ACCENTED = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
_PL_BASE = "acelnoszzACELNOSZZ"
SQLITE_FOLD = "okik_fold"  # registered on every SQLite connection (app/core/sqlite.py)


class folded(FunctionElement[str]):  # noqa: N801 - used like a SQL function: folded(User.last_name)
    """A column as `fold` writes text, for comparing in the database with a folded phrase."""

    type = String()
    inherit_cache = True


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"lower(translate({column}, '{_PL_ACCENTED}', '{_PL_BASE}'))"


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


def fold_or_none(value: str | None) -> str | None:
    return None if value is None else fold(value)
