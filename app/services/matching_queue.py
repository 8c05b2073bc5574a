"""The queue of matching runs: a web request records a run, a worker process executes it.

A run is a row of `match_run`. The coordinator's request only inserts it as `queued`. Workers
(`flask matching-worker`, one or several, on one machine or several) take queued runs in order,
mark them `running` with their name and keep a heartbeat while they work. Two rules hold:

- a run is taken by one worker only: on PostgreSQL the queued rows are read with
  `FOR UPDATE SKIP LOCKED` and taken with a compare-and-set UPDATE (queued -> running); on SQLite
  the claim takes the database's write lock up front (app/core/sqlite.py), so claims
  follow one another;
- runs whose scopes overlap never run at the same time, because both would propose the same
  places. A queued run waits for any running run it overlaps, and for any earlier queued run it
  overlaps (so that it cannot overtake it forever). On PostgreSQL the claims and the enqueues
  hold one transaction-level advisory lock, so that the check "nothing overlapping is running"
  and the UPDATE are one step for every worker.

A worker that dies (killed, its machine gone) stops beating; `fail_stale_runs` marks its run
failed with a reason the run page words in the reader's language, and the coordinator can start
it again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.engine import Engine

from app.extensions import db
from app.models import MatchRun
from app.models import Need
from app.models import User
from app.models import need_cohost
from app.models.base import rows_changed
from app.models.base import utcnow
from app.services.matching_run import Scope

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
OPEN = (QUEUED, RUNNING)
WORKER_LOST = "worker_lost"  # `MatchRun.failure` of a run whose worker stopped beating
# Held (per transaction, on PostgreSQL) by every enqueue and claim; not the scheduler's key.
QUEUE_LOCK_KEY = 0x4F4B4D51  # "OKMQ"


def worker_id() -> str:
    """This process's name in `claimed_by`: the machine and the process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _mark(stage: str, moment: datetime) -> dict:
    return {"stage": stage, "at": _iso(moment)}


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _lock_queue() -> None:
    """Make this transaction the only one changing the queue until it ends.

    PostgreSQL: a transaction-level advisory lock, released by the commit. SQLite: nothing here;
    the FOR UPDATE of the next read takes the database's only write lock up front.
    """
    if _is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": QUEUE_LOCK_KEY})


def _open_runs_locked(statuses: Iterable[str]):
    query = select(MatchRun).where(MatchRun.status.in_(tuple(statuses))).order_by(MatchRun.id)
    if _is_postgres():
        # The advisory lock already orders claimers; rows another transaction holds are skipped,
        # never waited for.
        return query.with_for_update(skip_locked=True)
    return query.with_for_update()  # SQLite: the write lock, before anything is read


# --- Scopes that overlap ---------------------------------------------------------------------


def _dates_meet(a: Scope, b: Scope) -> bool:
    low = date.min
    high = date.max
    return (a.date_from or low) <= (b.date_to or high) and (b.date_from or low) <= (
        a.date_to or high
    )


def reach(scope: Scope) -> frozenset[int] | None:
    """The institutions related to any need the scope covers: the needs' owners and co-hosts.

    A run over institution A covers A's needs and the needs A co-hosts. Two scopes cover a need
    in common exactly when one's institutions meet the other's reach. None: the whole coalition.
    """
    if not scope.institution_ids:
        return None
    chosen = sorted(scope.institution_ids)
    cohosted = select(need_cohost.c.need_id).where(need_cohost.c.institution_id.in_(chosen))
    covered = select(Need.id).where(Need.institution_id.in_(chosen) | Need.id.in_(cohosted))
    owners = db.session.scalars(select(Need.institution_id).where(Need.id.in_(covered)))
    hosts = db.session.scalars(
        select(need_cohost.c.institution_id).where(need_cohost.c.need_id.in_(covered))
    )
    return frozenset(scope.institution_ids) | frozenset(owners) | frozenset(hosts)


class _Reaches:
    """Each run's scope and reach, computed once per claim."""

    def __init__(self) -> None:
        self._scopes: dict[int, Scope] = {}
        self._reaches: dict[int, frozenset[int] | None] = {}

    def scope(self, run: MatchRun) -> Scope:
        if run.id not in self._scopes:
            self._scopes[run.id] = Scope.from_params(run.params or {})
        return self._scopes[run.id]

    def reach(self, run: MatchRun) -> frozenset[int] | None:
        if run.id not in self._reaches:
            self._reaches[run.id] = reach(self.scope(run))
        return self._reaches[run.id]

    def overlap(self, a: MatchRun, b: MatchRun) -> bool:
        scope_a, scope_b = self.scope(a), self.scope(b)
        if not _dates_meet(scope_a, scope_b):
            return False
        if not scope_a.institution_ids or not scope_b.institution_ids:
            return True
        return bool(scope_a.institution_ids & (self.reach(b) or frozenset()))


def _blocker(
    run: MatchRun, queued: list[MatchRun], running: list[MatchRun], reaches: _Reaches
) -> MatchRun | None:
    """The run this queued run waits for: a running one it overlaps, else an earlier queued one."""
    for other in running:
        if other.id != run.id and reaches.overlap(run, other):
            return other
    for other in queued:
        if other.id >= run.id:
            break
        if reaches.overlap(run, other):
            return other
    return None


# --- The web's side ----------------------------------------------------------------------------


def enqueue_or_join(
    actor: User, scope: Scope, now: datetime | None = None
) -> tuple[MatchRun, bool]:
    """Record a queued run over `scope`; (run, True). If a run over the very same scope is
    already queued or running, that run instead: (run, False). Two requests at once make one run.
    """
    now = now or utcnow()
    params = scope.as_params()
    _lock_queue()
    for existing in db.session.scalars(_open_runs_locked(OPEN)):
        if Scope.from_params(existing.params or {}).as_params() == params:
            db.session.commit()
            return existing, False
    run = MatchRun(
        created_by_id=actor.id,
        created_at=now,
        params=params,
        status=QUEUED,
        stages=[_mark(QUEUED, now)],
    )
    db.session.add(run)
    db.session.commit()
    return run, True


def enqueue(actor: User, scope: Scope, now: datetime | None = None) -> MatchRun:
    """A queued run over `scope` (or the one already waiting or running over it)."""
    return enqueue_or_join(actor, scope, now)[0]


@dataclass(frozen=True)
class QueueState:
    """Where a queued run stands: its place in the queue and the run it waits for, if any."""

    position: int
    waiting_for: int | None


def queue_state(run: MatchRun) -> QueueState | None:
    """For the run page; None unless the run is queued."""
    if run.status != QUEUED:
        return None
    queued = list(
        db.session.scalars(
            select(MatchRun)
            .where(MatchRun.status == QUEUED, MatchRun.id <= run.id)
            .order_by(MatchRun.id)
        )
    )
    running = list(
        db.session.scalars(select(MatchRun).where(MatchRun.status == RUNNING).order_by(MatchRun.id))
    )
    blocker = _blocker(run, queued, running, _Reaches())
    return QueueState(
        position=sum(1 for q in queued if q.id < run.id) + 1,
        waiting_for=blocker.id if blocker else None,
    )


# --- The worker's side -------------------------------------------------------------------------


def claim_next(
    worker: str, now: datetime | None = None, *, only: int | None = None
) -> MatchRun | None:
    """Take the first queued run that overlaps nothing running (nor an earlier queued run) and
    mark it running for `worker`; None when there is none. `only`: consider that run alone.

    `now` (the start recorded) defaults to the moment the queue is held: a claim may wait for
    the lock while an overlapping run saves, and must not seem to start before that run ended.
    """
    waiting = select(MatchRun.id).where(MatchRun.status == QUEUED).limit(1)
    if only is not None:
        waiting = waiting.where(MatchRun.id == only)
    if db.session.scalar(waiting) is None:  # idle workers read, they do not lock
        db.session.rollback()
        return None
    _lock_queue()
    queued = list(db.session.scalars(_open_runs_locked([QUEUED])))
    running = list(
        db.session.scalars(select(MatchRun).where(MatchRun.status == RUNNING).order_by(MatchRun.id))
    )
    reaches = _Reaches()
    chosen = None
    for run in queued:
        if only is not None and run.id != only:
            continue
        if _blocker(run, queued, running, reaches) is None:
            chosen = run
            break
    if chosen is None:
        db.session.commit()
        return None
    now = now or utcnow()
    taken = rows_changed(
        db.session.execute(
            update(MatchRun)
            .where(MatchRun.id == chosen.id, MatchRun.status == QUEUED)
            .values(
                status=RUNNING,
                claimed_by=worker,
                started_at=now,
                heartbeat_at=now,
                stage="",
                stages=[*(chosen.stages or []), _mark(RUNNING, now)],
            )
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    if not taken:
        return None
    log.info("Matching run %s taken by %s", chosen.id, worker)
    return db.session.get(MatchRun, chosen.id)


def _release_held(run_id: int, worker: str, values: Callable[[MatchRun], dict]) -> bool:
    """Change a run this worker holds, in one compare-and-set; False when it is not its own."""
    run = db.session.get(MatchRun, run_id)
    if run is None:
        return False
    done = rows_changed(
        db.session.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id, MatchRun.status == RUNNING, MatchRun.claimed_by == worker)
            .values(**values(run))
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return bool(done)


def record_failure(run_id: int, worker: str, error: str, failure: str = "") -> bool:
    """Mark a run this worker holds as failed; False when it is no longer this worker's."""
    now = utcnow()
    return _release_held(
        run_id,
        worker,
        lambda run: {
            "status": FAILED,
            "failure": failure,
            "error": error[:500],
            "stage": "",
            "finished_at": now,
            "stages": [*(run.stages or []), _mark(FAILED, now)],
        },
    )


def requeue(run_id: int, worker: str) -> bool:
    """Give back a run this worker holds (the worker is stopping): the next worker starts it
    afresh. Nothing of it is lost: proposals are saved in one transaction at the end."""
    return _release_held(
        run_id,
        worker,
        lambda run: {
            "status": QUEUED,
            "claimed_by": "",
            "started_at": None,
            "heartbeat_at": None,
            "stage": "",
            "stages": [_mark(QUEUED, run.created_at)],
        },
    )


def fail_stale_runs(now: datetime | None = None) -> int:
    """Mark failed every running run whose worker has not beaten for MATCHING_STALE_SECONDS;
    how many. Called by every worker round and by the run pages."""
    now = now or utcnow()
    limit = now - timedelta(seconds=current_app.config["MATCHING_STALE_SECONDS"])
    stale = or_(
        MatchRun.heartbeat_at < limit,
        and_(MatchRun.heartbeat_at.is_(None), MatchRun.started_at < limit),
    )
    found = list(
        db.session.execute(
            select(MatchRun.id, MatchRun.claimed_by, MatchRun.heartbeat_at).where(
                MatchRun.status == RUNNING, stale
            )
        )
    )
    if not found:  # the usual answer: a read, no write lock taken
        return 0
    failed = 0
    for run_id, worker, beat in found:
        stages = db.session.scalar(select(MatchRun.stages).where(MatchRun.id == run_id)) or []
        failed += rows_changed(
            db.session.execute(
                update(MatchRun)
                .where(MatchRun.id == run_id, MatchRun.status == RUNNING, stale)
                .values(
                    status=FAILED,
                    failure=WORKER_LOST,
                    error=f"worker {worker} stopped responding (last heartbeat {beat})"[:500],
                    stage="",
                    finished_at=now,
                    stages=[*stages, _mark(FAILED, now)],
                )
                .execution_options(synchronize_session=False)
            )
        )
    db.session.commit()
    if failed:
        log.warning("Matching runs given up after their worker stopped: %s", failed)
    return failed


class Heartbeat:
    """A thread that writes the run's heartbeat every few seconds on a connection of its own,
    while the worker's main thread loads, solves and saves.

    When the run is no longer this worker's (it was declared failed while the process stood
    still), `on_lost` is called once: the worker abandons the run.
    """

    def __init__(
        self,
        engine: Engine,
        run_id: int,
        worker: str,
        seconds: float,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.run_id = run_id
        self.worker = worker
        self.seconds = seconds
        self.on_lost = on_lost
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat_until_stopped, name=f"heartbeat-run-{run_id}", daemon=True
        )

    def beat(self) -> bool:
        """One heartbeat; False when the run is no longer this worker's."""
        with self.engine.begin() as conn:
            changed = rows_changed(
                conn.execute(
                    update(MatchRun)
                    .where(
                        MatchRun.id == self.run_id,
                        MatchRun.status == RUNNING,
                        MatchRun.claimed_by == self.worker,
                    )
                    .values(heartbeat_at=utcnow())
                )
            )
        return bool(changed)

    def _finished(self) -> bool:
        """The run is done. Only the worker holding a run completes it, so a run found done
        was completed here, after the last beat and before the heartbeat was stopped."""
        with self.engine.connect() as conn:
            status = conn.scalar(select(MatchRun.status).where(MatchRun.id == self.run_id))
        return status == DONE

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                alive = self.beat()
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next one
                log.warning("Heartbeat of matching run %s missed: %s", self.run_id, exc)
                continue
            if not alive:
                if self._finished():
                    return  # completed by this worker between two beats: nothing is lost
                self.lost = True
                log.error(
                    "Matching run %s is no longer held by %s (declared failed?): abandoning it",
                    self.run_id,
                    self.worker,
                )
                if self.on_lost is not None:
                    self.on_lost()
                return

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 30)


def work_once(worker: str | None = None, now: datetime | None = None) -> MatchRun | None:
    """One worker step: take the next runnable run and execute it; the run, or None if idle."""
    from app.services.matching_run import run_safely

    worker = worker or worker_id()
    run = claim_next(worker, now)
    if run is None:
        return None
    return run_safely(run.id, worker)


def work_until_idle(worker: str | None = None, limit: int = 100) -> list[int]:
    """Execute runnable runs one after the other until none is left (inline mode, tests)."""
    done: list[int] = []
    while len(done) < limit and (run := work_once(worker)) is not None:
        done.append(run.id)
    return done


# --- Figures -----------------------------------------------------------------------------------

STAGE_KEYS = ("queue_wait", "loading", "solving", "saving", "total")


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stage_seconds(run: MatchRun, now: datetime | None = None) -> dict[str, float]:
    """Seconds the run spent waiting in the queue, loading, solving, saving, and in all (from
    the request to the stored proposals). A stage still going counts up to `now`."""
    end = run.finished_at or now or utcnow()
    marks = sorted(((e["stage"], _moment(e["at"])) for e in (run.stages or ())), key=lambda m: m[1])
    spent: dict[str, float] = dict.fromkeys(STAGE_KEYS, 0.0)
    for index, (stage, at) in enumerate(marks):
        following = marks[index + 1][1] if index + 1 < len(marks) else end
        if stage in ("loading", "solving", "saving"):
            spent[stage] += max(0.0, (following - at).total_seconds())
    created = run.created_at
    if created is not None:
        waited_until = run.started_at or (end if run.status == QUEUED else None)
        if waited_until is not None:
            spent["queue_wait"] = max(0.0, (waited_until - created).total_seconds())
        spent["total"] = max(0.0, (end - created).total_seconds())
    return {key: round(value, 3) for key, value in spent.items()}


def elapsed_seconds(run: MatchRun, now: datetime | None = None) -> int:
    """What the run page shows: seconds waited so far (queued), worked so far (running), or the
    whole time from the request to the end."""
    now = now or utcnow()
    if run.status == QUEUED:
        start, end = run.created_at, now
    elif run.status == RUNNING:
        start, end = run.started_at or run.created_at, now
    else:
        start, end = run.created_at, run.finished_at or now
    return max(0, int((end - start).total_seconds())) if start else 0


__all__ = [
    "Heartbeat",
    "QueueState",
    "claim_next",
    "elapsed_seconds",
    "enqueue",
    "enqueue_or_join",
    "fail_stale_runs",
    "queue_state",
    "reach",
    "record_failure",
    "requeue",
    "stage_seconds",
    "work_once",
    "work_until_idle",
    "worker_id",
]
