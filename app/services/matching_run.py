"""Running the matcher for the coalition: database rows in, explained proposals out.

`matching/` knows nothing about the database. `app.services.matching_inputs` turns rows into its
frozen dataclasses; this module holds a run's flow and stores its proposals back as Assignment
rows, in bulk statements whose size does not depend on the data.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import datetime

from flask import current_app
from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

import matching
from app.core.time import WARSAW
from app.extensions import db
from app.models import Assignment
from app.models import AssignmentSource
from app.models import AssignmentStatus
from app.models import Institution
from app.models import MatchRun
from app.models import Need
from app.models import Shift
from app.models import User
from app.models.assignments import DECIDED_SQL
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services import audit
from app.services import matching_inputs
from app.services.offers import expire_offers

log = logging.getLogger(__name__)
S = AssignmentStatus


@dataclass(frozen=True)
class Scope:
    institution_ids: frozenset[int] | None = None  # None: the whole coalition
    date_from: date | None = None
    date_to: date | None = None

    def as_params(self) -> dict:
        return {
            "institution_ids": sorted(self.institution_ids) if self.institution_ids else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_params(cls, params: dict) -> Scope:
        ids = params.get("institution_ids")
        return cls(
            frozenset(ids) if ids else None,
            date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
            date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
        )


def _set_stage(run: MatchRun, stage: str) -> None:
    """Say where the run is, with when it got there (the figures per stage come from these
    marks), and that its worker is alive."""
    now = utcnow()
    run.stage = stage
    run.stages = [*(run.stages or []), {"stage": stage, "at": now.isoformat()}]
    if run.status == "running":
        run.heartbeat_at = now
    db.session.commit()


class RunLost(Exception):
    """The run stopped being this worker's while it solved (declared failed, given back)."""


def _begin_saving(run: MatchRun) -> None:
    """Enter the saving stage only if the run is still running under this worker.

    A compare-and-set, and the first write of the transaction that stores the proposals and
    marks the run done: a worker that was frozen past its heartbeat and then wakes up saves
    nothing over a run already reported failed (or taken again), and a stale-run check that
    comes while the proposals are being stored waits for that transaction and finds the run done.
    """
    now = utcnow()
    stages = [*(run.stages or []), {"stage": "saving", "at": now.isoformat()}]
    still_ours = rows_changed(
        db.session.execute(
            update(MatchRun)
            .where(
                MatchRun.id == run.id,
                MatchRun.status == "running",
                MatchRun.claimed_by == run.claimed_by,
            )
            .values(stage="saving", stages=stages, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if not still_ours:
        db.session.rollback()
        raise RunLost(f"run {run.id} is no longer running under {run.claimed_by}")
    run.stage, run.stages, run.heartbeat_at = "saving", stages, now


def _cancel_superseded(run: MatchRun, scope: Scope, now: datetime) -> int:
    """Cancel the pending proposals on the run's places in one statement; returns how many.

    The places are named by the same subquery the run read them with, not by a list of ids.
    `status = 'proposed'` in the statement itself means a proposal that someone approved or
    rejected while the run was solving keeps that decision.
    """
    result = db.session.execute(
        update(Assignment)
        .where(
            Assignment.status == S.PROPOSED,
            Assignment.shift_id.in_(matching_inputs.open_shift_ids(scope, now)),
        )
        .values(
            status=S.CANCELLED,
            decision_note=f"superseded by run {run.id}",
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def _insert_ignoring_live_duplicates():
    """INSERT ... ON CONFLICT DO NOTHING: a volunteer who got a live row on a shift while the run
    was solving (an offer approved from an earlier run, an application) keeps that one row, and
    the run's proposal for the same pair is dropped instead of failing the whole run."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL
        raise RuntimeError(f"no bulk insert for {name}")
    return insert(Assignment).on_conflict_do_nothing()


def _reasons(proposal: matching.Proposal) -> list[dict]:
    return [
        {"code": r.code, "params": dict(r.params), "points": r.points} for r in proposal.reasons
    ]


# What differs from one proposal to the next; the rest of the row is the same for the whole run.
_NEW_PROPOSAL = Table(
    "matching_new_proposal",
    MetaData(),
    Column("volunteer_id", Integer, nullable=False),
    Column("shift_id", Integer, nullable=False),
    Column("need_id", Integer, nullable=False),
    Column("score", Integer),
    Column("reasons", Text, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _copy_proposals(run: MatchRun, proposals: Iterable[matching.Proposal], moment: datetime):
    """PostgreSQL: COPY the proposals into a temporary table, then one INSERT ... SELECT.

    A hundred thousand proposals as VALUES lists cost seconds of building and binding
    parameters in Python; COPY streams them in the driver's C code, and the insert with its
    index updates is one statement on the server.
    """
    conn = db.session.connection()
    _NEW_PROPOSAL.create(conn)
    columns = [c.name for c in _NEW_PROPOSAL.c]
    driver = conn.connection.driver_connection
    if driver is None:  # pragma: no cover - a connection in a transaction has its driver's
        raise RuntimeError("no driver connection to copy the proposals on")
    cursor = driver.cursor()
    with cursor.copy(f"COPY {_NEW_PROPOSAL.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for p in proposals:
            copy.write_row(
                (p.volunteer_id, p.place_id, p.need_id, p.score, json.dumps(_reasons(p)))
            )
    fixed = {
        "status": S.PROPOSED,
        "source": AssignmentSource.MATCHING,
        "message": "",
        "match_run_id": run.id,
        "decision_note": "",
        "created_at": moment,
        "updated_at": moment,
    }
    table = Assignment.__table__
    staged = _NEW_PROPOSAL.c
    rows = select(
        staged.volunteer_id,
        staged.shift_id,
        staged.need_id,
        staged.score,
        cast(staged.reasons, table.c.reasons.type),
        *(literal(value, table.c[name].type) for name, value in fixed.items()),
    )
    db.session.execute(
        _insert_ignoring_live_duplicates().from_select(
            ["volunteer_id", "shift_id", "need_id", "score", "reasons", *fixed], rows
        )
    )
    _NEW_PROPOSAL.drop(conn)


def _store_proposals(run: MatchRun, proposals: Iterable[matching.Proposal]) -> tuple[int, int]:
    """Insert the run's proposals in bulk (COPY on PostgreSQL, one executemany statement
    elsewhere); returns (proposals stored, needs with at least one), counted from what the
    database holds."""
    moment = utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        _copy_proposals(run, proposals, moment)
        rows = []
    else:
        rows = [
            {
                "volunteer_id": p.volunteer_id,
                "shift_id": p.place_id,
                "need_id": p.need_id,
                "status": S.PROPOSED,
                "source": AssignmentSource.MATCHING,
                "message": "",
                "score": p.score,
                "reasons": _reasons(p),
                "match_run_id": run.id,
                "decision_note": "",
                "created_at": moment,
                "updated_at": moment,
            }
            for p in proposals
        ]
    if rows:
        db.session.execute(_insert_ignoring_live_duplicates(), rows)
    saved, needs = db.session.execute(
        select(func.count(), func.count(func.distinct(Assignment.need_id))).where(
            Assignment.match_run_id == run.id
        )
    ).one()
    return saved, needs


def execute_run(run: MatchRun, now: datetime | None = None) -> MatchRun:
    """Build the problem, solve it, and store the proposals of this run; earlier pending
    proposals in the same scope are replaced, so the newest run is the one to review."""
    now = now or utcnow()
    scope = Scope.from_params(run.params)
    # Shifts whose sign-up opens later are not proposed yet (app/services/limits.py).
    config = matching.MatchingConfig(as_of=matching_inputs.local(now))
    run.status = "running"
    _set_stage(run, "expiring_offers")
    expire_offers(now)
    _set_stage(run, "loading")
    places = matching_inputs.load_places(scope, now)
    today = now.astimezone(WARSAW).date()
    volunteers = matching_inputs.load_volunteers(
        now, config, until=matching_inputs.last_day_needed(places, today)
    )
    coalition = frozenset(
        db.session.scalars(select(Institution.id).where(Institution.is_active.is_(True)))
    )
    _set_stage(run, "solving")
    result = matching.match(matching.Problem(volunteers, places, config, coalition))
    del volunteers, places

    _begin_saving(run)
    superseded = _cancel_superseded(run, scope, now)
    saved, needs_with_proposal = _store_proposals(run, result.proposals)
    stats = result.stats
    run.stats = {
        "volunteers": stats.volunteers,
        "places": stats.places,
        "needs": stats.needs,
        "pairs": stats.pairs,
        "proposals": saved,
        "needs_with_proposal": needs_with_proposal,
        "objective": result.objective,
        "score_total": result.score_total,
        "seconds_total": round(stats.seconds_total, 3),
        "superseded": superseded,
    }
    audited = dict(run.stats)
    # Where the library's time went, for whoever tunes a run at scale.
    run.stats["seconds_by_phase"] = {
        phase: round(getattr(stats, f"seconds_{phase}"), 3)
        for phase in ("index", "candidates", "scoring", "solve", "explain", "diagnostics")
    }
    run.diagnostics = [
        {
            "place_id": d.place_id,
            "need_id": d.need_id,
            "places_left": d.places_left,
            "proposed": d.proposed,
            "code": d.code,
            "params": _jsonable(d.params),
        }
        for d in result.unfilled
    ]
    run.status = "done"
    run.stage = ""
    run.finished_at = utcnow()
    audit.record(run.created_by, "matching.run", run, **audited)
    db.session.commit()
    return run


def _tidy_after_run() -> None:
    """PostgreSQL: vacuum and analyse `assignment` once a run has stored its proposals.

    A run adds and cancels a hundred thousand rows at once. Until autovacuum comes by, the
    planner believes the new run has no proposals (it then sorts the whole run for each page)
    and every index entry of them needs a visit to the table; the review page is slow exactly
    when coordinators open it. Done by `run_safely` once the run is committed done and its
    heartbeat has stopped, on a connection of its own, giving up quietly when it would have to
    wait for a lock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("SET lock_timeout = '2s'")
            conn.exec_driver_sql("VACUUM (ANALYZE) assignment")
    except SQLAlchemyError:  # the run is stored; autovacuum will do it later
        log.warning("Vacuuming assignment after a matching run failed", exc_info=True)


def _jsonable(params) -> dict:
    out = {}
    for key, value in dict(params).items():
        if isinstance(value, frozenset | set | tuple):
            value = sorted(value) if all(isinstance(v, int | str) for v in value) else list(value)
        out[key] = value
    return out


def start_run(actor: User, scope: Scope) -> MatchRun:
    """Queue a run over `scope` for a worker (or the run already waiting over the same scope)."""
    from app.services.matching_queue import enqueue

    return enqueue(actor, scope)


def run_safely(
    run_id: int, worker: str | None = None, on_lost: Callable[[], None] | None = None
) -> MatchRun | None:
    """Execute a run taken from the queue and record a failure instead of losing it.

    A run still queued is first taken by the queue's own rules (it may have to wait for an
    overlapping run: then nothing happens and None is returned). While it executes, a heartbeat
    thread tells the other processes that this worker is alive.
    """
    from app.services import matching_queue as queue

    worker = worker or queue.worker_id()
    run = db.session.get(MatchRun, run_id)
    if run is None:
        return None
    if run.status == "queued":
        run = queue.claim_next(worker, only=run_id)
        if run is None:
            return None
    if run.status != "running" or run.claimed_by != worker:
        return run  # another worker's, or already over
    seconds = current_app.config["MATCHING_HEARTBEAT_SECONDS"]
    with queue.Heartbeat(db.engine, run_id, worker, seconds, on_lost):
        try:
            execute_run(run)
        except Exception as exc:  # noqa: BLE001 - any failure is shown to the coordinator
            log.exception("Matching run %s failed", run_id)
            db.session.rollback()
            queue.record_failure(run_id, worker, str(exc) or type(exc).__name__)
    db.session.expire_all()
    finished = db.session.get(MatchRun, run_id)
    if finished is not None and finished.status == queue.DONE:
        # With the heartbeat stopped: a vacuum of some seconds must not look like a lost run.
        _tidy_after_run()
    return finished


def latest_runs(limit: int = 10) -> list[MatchRun]:
    return list(db.session.scalars(select(MatchRun).order_by(MatchRun.id.desc()).limit(limit)))


def _proposals_query(run: MatchRun, need_ids: Iterable[int] | None):
    query = select(Assignment.id).where(Assignment.match_run_id == run.id)
    if need_ids is not None:
        query = query.where(Assignment.need_id.in_(list(need_ids)))
    return query


@dataclass(frozen=True, slots=True)
class ProposalPerson:
    full_name: str


@dataclass(frozen=True, slots=True)
class ProposalShift:
    id: int
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class ProposalInstitution:
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class ProposalNeed:
    id: int
    title: str
    institution: ProposalInstitution


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """One proposal as the review page shows it, read with plain columns.

    It has the attribute paths of an Assignment that the proposal templates use, without the
    cost of building, tracking and discarding five ORM objects per row on every page view.
    """

    id: int
    status: AssignmentStatus
    score: int | None
    reasons: list
    volunteer: ProposalPerson
    shift: ProposalShift
    need: ProposalNeed


# Display order of a run's proposals; the index ix_assignment_run_page yields it by need and
# shift, so a page costs what it shows and not the rows before it sorted.
_PAGE_ORDER = (Assignment.need_id, Assignment.shift_id, Assignment.score.desc(), Assignment.id)


def proposals_of(
    run: MatchRun,
    need_ids: Iterable[int] | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[ProposalRow]:
    """A run's proposals by need, shift and score; `limit`/`offset` give one page of them.

    One statement: the page's ids come from the index alone in a subquery, and only those rows
    are joined to their volunteer, shift, need and institution.
    """
    page = _proposals_query(run, need_ids).order_by(*_PAGE_ORDER)
    # Written into the statement rather than bound: PostgreSQL then keeps one plan for the
    # statement, where a bound OFFSET makes it plan the five-table join again on every view.
    if limit is not None:
        page = page.limit(literal_column(str(int(limit))))
    if offset:
        page = page.offset(literal_column(str(int(offset))))
    rows = db.session.execute(
        select(
            Assignment.id,
            Assignment.status,
            Assignment.score,
            Assignment.reasons,
            User.first_name,
            User.last_name,
            Shift.id,
            Shift.starts_at,
            Need.id,
            Need.title,
            Institution.name,
            Institution.short_name,
        )
        .join(User, User.id == Assignment.volunteer_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Need, Need.id == Assignment.need_id)
        .join(Institution, Institution.id == Need.institution_id)
        .where(Assignment.id.in_(page.scalar_subquery()))
        .order_by(*_PAGE_ORDER)
    )
    institutions: dict[tuple[str, str], ProposalInstitution] = {}
    needs: dict[int, ProposalNeed] = {}
    found = []
    for (
        id_,
        status,
        score,
        reasons,
        first,
        last,
        shift_id,
        starts_at,
        need_id,
        title,
        name,
        short,
    ) in rows:
        need = needs.get(need_id)
        if need is None:
            institution = institutions.setdefault((name, short), ProposalInstitution(name, short))
            need = needs[need_id] = ProposalNeed(need_id, title, institution)
        found.append(
            ProposalRow(
                id=id_,
                status=status,
                score=score,
                reasons=reasons or [],
                volunteer=ProposalPerson(f"{first} {last}".strip()),
                shift=ProposalShift(shift_id, starts_at),
                need=need,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class UnfilledPage:
    """One page of a run's diagnoses, with when each shift starts and its need's title."""

    rows: tuple[dict, ...]
    total: int
    page: int
    pages: int
    starts_at: dict[int, datetime]
    need_titles: dict[int, str]


@functools.lru_cache(maxsize=8)
def _finished_unfilled(run_id: int, finished_at: datetime) -> tuple[dict, ...]:
    return tuple(db.session.scalar(select(MatchRun.diagnostics).where(MatchRun.id == run_id)) or ())


def unfilled_of(run: MatchRun, page: int = 1, per_page: int | None = None) -> UnfilledPage:
    """Why a finished run left shifts unfilled: page `page` (kept within the pages there are) of
    `per_page` diagnoses, or all of them.

    A finished run never changes, and decoding its list at national scale costs more than the
    rest of its page, so each process keeps the last few it read (the finishing time in the key
    tells a run from an earlier one with the same number); a page then reads only its own
    shifts, with plain columns.
    """
    every = (
        _finished_unfilled(run.id, run.finished_at)
        if run.status == "done" and run.finished_at is not None
        else ()
    )
    size = per_page or max(len(every), 1)
    pages = max(-(-len(every) // size), 1)
    page = min(max(page, 1), pages)
    rows = every[(page - 1) * size : page * size]
    starts_at: dict[int, datetime] = {}
    need_titles: dict[int, str] = {}
    if rows:
        for shift_id, starts, need_id, title in db.session.execute(
            select(Shift.id, Shift.starts_at, Need.id, Need.title)
            .join(Need, Need.id == Shift.need_id)
            .where(Shift.id.in_(sorted({d["place_id"] for d in rows})))
        ):
            starts_at[shift_id] = starts
            need_titles[need_id] = title
    return UnfilledPage(rows, len(every), page, pages, starts_at, need_titles)


@dataclass(frozen=True, slots=True)
class ProposalPage:
    """One page of a run's proposals, with how many of the run's proposals still wait."""

    rows: list[ProposalRow]
    pending: int
    page: int
    pages: int

    @property
    def named_institutions(self) -> set[int]:
        """The institutions the page's reasons name: only their names need reading."""
        return {
            r["params"]["institution_id"]
            for p in self.rows
            for r in p.reasons or ()
            if "institution_id" in r.get("params", {})
        }


def proposal_page(run: MatchRun, page: int, per_page: int) -> ProposalPage:
    """Page `page` (kept within the pages there are) of `per_page` proposals of a finished run;
    a run not finished has none yet."""
    total, pending = proposal_counts(run) if run.status == "done" else (0, 0)
    pages = -(-total // per_page)
    page = min(max(page, 1), max(pages, 1))
    rows = proposals_of(run, limit=per_page, offset=(page - 1) * per_page) if total else []
    return ProposalPage(rows, pending, page, pages)


def proposal_counts(run: MatchRun) -> tuple[int, int]:
    """(all proposals of the run, those still waiting for a decision).

    A run's proposals are stored once, when it finishes, and their number with it
    (`stats["proposals"]`, counted from the table in the same transaction); afterwards only their
    statuses change. So what waits is that number less the decided ones, which the partial index
    ix_assignment_run_decided holds: right after a run, while people review it, they are few,
    and the count stays exact after every decision or a later run's cancelling without reading
    the run's hundred thousand entries. A run stored without the number is counted in full.
    """
    stored = (run.stats or {}).get("proposals")
    if stored is None:
        total, pending = db.session.execute(
            _proposals_query(run, None).with_only_columns(
                func.count(),
                func.count().filter(Assignment.status == AssignmentStatus.PROPOSED),
            )
        ).one()
        return total, pending
    # The predicate written as the index's own, not bound, so that every plan may use it.
    decided = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.match_run_id == run.id, text(DECIDED_SQL))
    )
    return int(stored), max(int(stored) - (decided or 0), 0)


__all__ = [
    "Scope",
    "execute_run",
    "latest_runs",
    "proposal_counts",
    "proposal_page",
    "unfilled_of",
    "proposals_of",
    "run_safely",
    "start_run",
]
