"""The needs search's result list, kept rendered for a minute and dropped the moment needs change.

The search is the busiest public page and most people ask the same few questions, so the list of
results is stored rendered, per question and language. Freshness does not rest on the timeout: a
version number is part of every key, and any committed change to needs, shifts (places taken
included), their skills or institutions raises it, so the next search misses and reads the
database. A reader that computes its list while a change commits stores it under the old version,
which no later reader asks for. The store is Redis in production (shared by all workers and the
scheduler), a directory in development and nothing in tests (see config.py). If the store is
unreachable, the page is computed as if nothing were cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from app.extensions import cache
from app.models import Institution
from app.models import Need
from app.models import NeedSkill
from app.models import Shift
from app.models import Skill

log = logging.getLogger(__name__)

VERSION_KEY = "needs-version"
WATCHED = (Need, Shift, NeedSkill, Institution, Skill)
_FLAG = "needs_changed"


def _version() -> int:
    return int(cache.get(VERSION_KEY) or 0)


def bump() -> None:
    """Make every stored result list stale."""
    try:
        if cache.cache.inc(VERSION_KEY) is None:  # stores without counters
            cache.set(VERSION_KEY, _version() + 1, timeout=0)
    except Exception:  # noqa: BLE001 - a store that is down holds nothing stale either
        log.warning("search cache unreachable: version not raised", exc_info=True)


def rendered(parts: Iterable[str], render: Callable[[], str]) -> str:
    """The stored rendering for `parts` at the current version, or `render()` stored anew."""
    try:
        key = "needs-search:" + str(_version()) + ":" + "|".join(parts)
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - the page works without its cache
        log.warning("search cache unreachable: computing the results", exc_info=True)
        return render()
    if html is None:
        html = render()
        try:
            cache.set(key, html, timeout=current_app.config["SEARCH_CACHE_SECONDS"])
        except Exception:  # noqa: BLE001
            log.warning("search cache unreachable: results not stored", exc_info=True)
    return html


def _touches_needs(objects: Iterable[object]) -> bool:
    return any(isinstance(obj, WATCHED) for obj in objects)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    if (
        _touches_needs(session.new)
        or _touches_needs(session.dirty)
        or _touches_needs(session.deleted)
    ):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    """Guarded UPDATEs of places taken and bulk statements bypass the flush."""
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None:
        if issubclass(state.bind_mapper.class_, WATCHED):
            state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        bump()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)
