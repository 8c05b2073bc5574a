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


# The Polish alphabet: each accented letter right after its base (a ą b c ć ... z ź ż).
_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
SQLITE_POLISH = "okik_polish"  # a collation registered on every SQLite connection
POSTGRES_POLISH = "pl-PL-x-icu"  # PostgreSQL's ICU collation for Polish


def polish_sort_key(text: str) -> tuple[tuple[int, ...], str]:
    """Sorts as a Polish reader expects: "Łukasz" after "Lucyna", "Żak" after "Zając"; case
    only breaks ties. Spaces, digits and punctuation come before letters ("Jan Nowak" before
    "Janek"); letters outside the alphabet fold to their base or follow it by code point."""
    primary = []
    for char in text.casefold():
        rank = _RANK.get(char)
        if rank is None and not char.isalpha():
            rank = ord(char) - 0x110000
        elif rank is None:
            base = fold(char)[:1] or char
            rank = _RANK.get(base, len(_ALPHABET) + ord(base))
        primary.append(rank)
    return tuple(primary), text


def compare_polish(left: str, right: str) -> int:
    """SQLite's collation callback: negative, zero or positive, as `polish_sort_key` orders."""
    a, b = polish_sort_key(left), polish_sort_key(right)
    return (a > b) - (a < b)


class polish(FunctionElement[str]):  # noqa: N801 - used like a SQL function: polish(User.last_name)
    """A column ordered by the Polish alphabet in either database (for ORDER BY)."""

    type = String()
    inherit_cache = True


@compiles(polish, "postgresql")
def _polish_postgresql(element: polish, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "{POSTGRES_POLISH}"'


@compiles(polish, "sqlite")
def _polish_sqlite(element: polish, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} COLLATE {SQLITE_POLISH}"
