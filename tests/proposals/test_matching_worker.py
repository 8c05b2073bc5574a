"""Matching runs are executed by `flask matching-worker` processes, never by the web process.

The queue's rules are checked first in this process (which runs may run side by side, which wait,
and for whom). Then real worker processes on the suite's file database (SQLite) or on PostgreSQL
(TEST_DATABASE_URL): one killed in the middle of a run, whose run is then reported failed with its
reason and started again by a new worker; two workers taking two disjoint runs at once, and two
overlapping runs one after the other; and gunicorn answering runs requested at the same moment.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import time as clock
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import AvailabilityWindow
from app.models import Consent
from app.models import ConsentKind
from app.models import MatchRun
from app.models import Need
from app.models import Role
from app.models import User
from app.models import VolunteerProfile
from app.models import need_cohost
from app.services import matching_queue as queue
from app.services.matching_run import Scope
from tests.live_server import BIN
from tests.live_server import STARTUP_WAIT
from tests.live_server import Processes
from tests.live_server import Visitor
from tests.live_server import start_gunicorn
from tests.live_server import wait_until
from tests.races.harness import ask
from tests.races.harness import at_once

CROWD = 1000  # volunteers: enough for a run to take a moment, few enough to load quickly
STALE_SECONDS = 2.0  # the web's patience with a silent worker, in these tests


# --- The queue's rules, in this process ----------------------------------------------------------


def _coordinator(factory) -> User:
    return factory.user(Role.COORDINATOR)


def _enqueue(app, coordinator, scope: Scope) -> int:
    with app.app_context():
        return queue.enqueue(db.session.get(User, coordinator.id), scope).id


def _claim(app, worker: str) -> int | None:
    run = queue.claim_next(worker)
    return run.id if run else None


def _state(app, run_id: int):
    return queue.queue_state(db.session.get(MatchRun, run_id))


def test_runs_over_disjoint_scopes_are_taken_by_two_workers_at_once(app, factory):
    museum, theatre = factory.institution("Muzeum Kolejki"), factory.institution("Teatr Kolejki")
    coordinator = _coordinator(factory)
    first = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    second = _enqueue(app, coordinator, Scope(frozenset({theatre.id})))
    assert _claim(app, "host-a:1") == first
    assert _claim(app, "host-b:2") == second
    assert _claim(app, "host-c:3") is None
    claimed = {r.id: r.claimed_by for r in factory.scalars(select(MatchRun))}
    assert claimed == {first: "host-a:1", second: "host-b:2"}


def test_an_overlapping_run_waits_for_the_running_one_and_says_which(app, factory):
    museum = factory.institution("Muzeum Kolejki")
    coordinator = _coordinator(factory)
    coalition_wide = _enqueue(app, coordinator, Scope())
    museum_run = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    assert _state(app, museum_run) == queue.QueueState(position=2, waiting_for=coalition_wide)
    assert _claim(app, "host-a:1") == coalition_wide
    assert _claim(app, "host-b:2") is None  # the coalition-wide run covers the museum
    assert _state(app, museum_run) == queue.QueueState(position=1, waiting_for=coalition_wide)
    assert queue.record_failure(coalition_wide, "host-a:1", "test")
    assert _claim(app, "host-b:2") == museum_run


def test_a_co_hosted_need_makes_two_institutions_overlap(app, factory):
    museum, theatre = factory.institution("Muzeum Kolejki"), factory.institution("Teatr Kolejki")
    shared = factory.need(museum, "Wspólny koncert")
    db.session.execute(need_cohost.insert().values(need_id=shared.id, institution_id=theatre.id))
    db.session.commit()
    coordinator = _coordinator(factory)
    first = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    second = _enqueue(app, coordinator, Scope(frozenset({theatre.id})))
    assert _claim(app, "host-a:1") == first
    assert _claim(app, "host-b:2") is None
    assert _state(app, second).waiting_for == first


def test_two_institutions_co_hosting_a_third_ones_need_overlap(app, factory):
    owner, a, b = (factory.institution(n) for n in ("Filharmonia", "Muzeum K", "Teatr K"))
    shared = factory.need(owner, "Festiwal")
    for host in (a, b):
        db.session.execute(need_cohost.insert().values(need_id=shared.id, institution_id=host.id))
    db.session.commit()
    coordinator = _coordinator(factory)
    first = _enqueue(app, coordinator, Scope(frozenset({a.id})))
    _enqueue(app, coordinator, Scope(frozenset({b.id})))
    assert _claim(app, "host-a:1") == first
    assert _claim(app, "host-b:2") is None


def test_coalition_wide_runs_over_dates_that_do_not_meet_run_side_by_side(app, factory):
    coordinator = _coordinator(factory)
    december = _enqueue(app, coordinator, Scope(None, date(2030, 12, 1), date(2030, 12, 31)))
    january = _enqueue(app, coordinator, Scope(None, date(2031, 1, 1), None))
    whole_winter = _enqueue(app, coordinator, Scope(None, date(2030, 12, 20), date(2031, 1, 10)))
    assert _claim(app, "host-a:1") == december
    assert _claim(app, "host-b:2") == january
    assert _claim(app, "host-c:3") is None
    assert _state(app, whole_winter).waiting_for == december


def test_a_later_run_does_not_overtake_an_earlier_one_it_overlaps(app, factory):
    museum, theatre = factory.institution("Muzeum Kolejki"), factory.institution("Teatr Kolejki")
    coordinator = _coordinator(factory)
    museum_run = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    waiting = _enqueue(app, coordinator, Scope())  # waits for the museum's run
    theatre_run = _enqueue(app, coordinator, Scope(frozenset({theatre.id})))
    assert _claim(app, "host-a:1") == museum_run
    assert _claim(app, "host-b:2") is None  # the theatre's run waits behind the coalition's
    assert _state(app, theatre_run).waiting_for == waiting


def test_the_same_scope_asked_twice_is_one_run(app, factory):
    museum = factory.institution("Muzeum Kolejki")
    coordinator = _coordinator(factory)
    actor = db.session.get(User, coordinator.id)
    first, new = queue.enqueue_or_join(actor, Scope(frozenset({museum.id})))
    again, again_new = queue.enqueue_or_join(actor, Scope(frozenset({museum.id})))
    other, other_new = queue.enqueue_or_join(actor, Scope())
    assert (new, again_new, other_new) == (True, False, True)
    assert again.id == first.id != other.id


def test_a_silent_worker_loses_its_run_and_a_beating_one_keeps_it(app, factory):
    coordinator = _coordinator(factory)
    museum, theatre = factory.institution("Muzeum Kolejki"), factory.institution("Teatr Kolejki")
    silent = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    beating = _enqueue(app, coordinator, Scope(frozenset({theatre.id})))
    start = datetime.now(UTC) - timedelta(minutes=10)
    queue.claim_next("gone:1", start)
    queue.claim_next("alive:2", start)
    assert queue.Heartbeat(db.engine, beating, "alive:2", 1).beat()
    assert queue.fail_stale_runs() == 1
    assert queue.fail_stale_runs() == 0
    lost = db.session.get(MatchRun, silent)
    assert (lost.status, lost.failure) == ("failed", queue.WORKER_LOST)
    assert "gone:1" in lost.error
    assert db.session.get(MatchRun, beating).status == "running"
    # The silent worker comes back: its heartbeat says the run is no longer its own.
    assert not queue.Heartbeat(db.engine, silent, "gone:1", 1).beat()


def test_a_run_completed_between_two_beats_is_not_abandoned(app, factory):
    """The worker tidies up after its run is done; a beat in between must not take it for a run
    declared failed meanwhile (that interrupted the worker's vacuum after every run)."""
    coordinator = _coordinator(factory)
    finished = _enqueue(app, coordinator, Scope(frozenset({factory.institution("Muzeum").id})))
    queue.claim_next("worker:1")
    run = db.session.get(MatchRun, finished)
    run.status = queue.DONE
    db.session.commit()
    called = []
    heartbeat = queue.Heartbeat(
        db.engine, finished, "worker:1", 0.05, on_lost=lambda: called.append(True)
    )
    with heartbeat:
        clock.sleep(0.3)
    assert (heartbeat.lost, called) == (False, [])


def test_stage_seconds_add_up_from_the_marks(app, factory):
    coordinator = _coordinator(factory)
    t0 = datetime(2030, 5, 1, 10, tzinfo=UTC)
    run = MatchRun(
        created_by_id=coordinator.id,
        created_at=t0,
        started_at=t0 + timedelta(seconds=3),
        finished_at=t0 + timedelta(seconds=20),
        status="done",
        stages=[
            {"stage": "queued", "at": t0.isoformat()},
            {"stage": "running", "at": (t0 + timedelta(seconds=3)).isoformat()},
            {"stage": "expiring_offers", "at": (t0 + timedelta(seconds=3)).isoformat()},
            {"stage": "loading", "at": (t0 + timedelta(seconds=4)).isoformat()},
            {"stage": "solving", "at": (t0 + timedelta(seconds=9.5)).isoformat()},
            {"stage": "saving", "at": (t0 + timedelta(seconds=17)).isoformat()},
        ],
    )
    assert queue.stage_seconds(run) == {
        "queue_wait": 3.0,
        "loading": 5.5,
        "solving": 7.5,
        "saving": 3.0,
        "total": 20.0,
    }


# --- Real worker processes ---------------------------------------------------------------------


def _crowd(app, count: int) -> None:
    """Volunteers free every day from 8 to 20, consenting: each run considers all of them.
    Inserted in bulk (one statement per table), as an import would."""
    from tests.factories import PASSWORD
    from tests.factories import _hash

    hashed = _hash(PASSWORD)
    tag = secrets.token_hex(3)
    now = datetime.now(UTC)
    ids = db.session.scalars(
        insert(User).returning(User.id),
        [
            {
                "email": f"tlum-{tag}-{n}@example.org",
                "password_hash": hashed,
                "role": Role.VOLUNTEER,
                "first_name": "Tłum",
                "last_name": f"Osoba{n}",
                "email_confirmed_at": now,
            }
            for n in range(count)
        ],
    ).all()
    db.session.execute(
        insert(VolunteerProfile),
        [{"user_id": i, "city": "Opole", "date_of_birth": date(1990, 1, 1)} for i in ids],
    )
    db.session.execute(
        insert(Consent),
        [{"user_id": i, "kind": ConsentKind.DATA_PROCESSING, "granted": True} for i in ids],
    )
    db.session.execute(
        insert(AvailabilityWindow),
        [
            {"user_id": i, "weekday": day, "start_time": time(8), "end_time": time(20)}
            for i in ids
            for day in range(7)
        ],
    )
    db.session.commit()


def _needs(factory, institution, count: int = 4, shifts: int = 10) -> list[Need]:
    """Weekly shifts at noon UTC (daytime in Warsaw), starting in a week."""
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return [
        factory.need(
            institution,
            f"Dyżur {n}",
            shifts=shifts,
            places=3,
            start=noon + timedelta(days=7 + n),
        )
        for n in range(count)
    ]


def _port() -> int:
    """A free loopback port among those these tests may use."""
    for port in range(5100, 5200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in 5100-5199")


@pytest.fixture
def worker_env(database_url, tmp_path) -> dict[str, str]:
    """What an operator would set for the workers, with their pauses shortened."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_", "MATCHING_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        LOG_FORMAT="text",
        RATELIMIT_ENABLED="0",
        CACHE_DIR=str(tmp_path / "cache"),
        MATCHING_POLL_SECONDS="0.1",
        MATCHING_HEARTBEAT_SECONDS="0.5",
        MATCHING_STALE_SECONDS=str(STALE_SECONDS),
        MATCHING_RETRY_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def processes(tmp_path, worker_env):
    keeper = Processes(tmp_path, worker_env)
    yield keeper
    keeper.stop_all()


def start_worker(processes: Processes):
    proc = processes.start(
        "matching-worker", str(BIN / "flask"), "--app", "wsgi", "matching-worker"
    )

    def started() -> bool:
        assert proc.poll() is None, processes.log(proc)
        return "Matching worker" in processes.log(proc) and "started" in processes.log(proc)

    wait_until("the matching worker starts", started, processes.all_logs, STARTUP_WAIT)
    return proc


@pytest.fixture
def web(make_app):
    """The app as the web serves it: requests only queue runs, and a silent worker is given up
    after STALE_SECONDS."""
    return make_app(MATCHING_SYNC=False, MATCHING_STALE_SECONDS=STALE_SECONDS)


def _signed_in(web, user):
    from tests.factories import PASSWORD

    client = web.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def _run(app, run_id: int) -> MatchRun:
    with app.app_context():
        run = db.session.get(MatchRun, run_id)
        db.session.expunge(run)
        return run


def _finished(app, run_ids, processes: Processes, seconds: float = 40) -> list[MatchRun]:
    def over():
        runs = [_run(app, i) for i in run_ids]
        return runs if all(r.status in ("done", "failed") for r in runs) else None

    runs = wait_until("the runs end", over, processes.all_logs, seconds)
    assert [(r.id, r.status, r.error) for r in runs] == [(r.id, "done", "") for r in runs]
    return runs


def _until_taken(app, run_id: int, processes: Processes) -> None:
    """Return the moment the run leaves the queue: polled every few milliseconds, so that the
    worker is caught in the middle of the run."""
    deadline = clock.monotonic() + 30
    status = select(MatchRun.status).where(MatchRun.id == run_id)
    while db.session.scalar(status) == "queued":
        db.session.rollback()
        assert clock.monotonic() < deadline, processes.all_logs()
        clock.sleep(0.005)
    db.session.rollback()


def test_a_worker_killed_mid_run_leaves_a_failed_run_and_a_new_worker_succeeds(
    app, web, factory, processes
):
    museum = factory.institution("Muzeum Długiej Nocy")
    _needs(factory, museum)
    _crowd(app, CROWD)
    coordinator = _coordinator(factory)
    client = _signed_in(web, coordinator)
    worker = start_worker(processes)

    for _attempt in range(3):
        response = client.post("/proposals/run", data={})
        assert response.status_code == 303
        run_url = response.headers["Location"]
        run_id = int(run_url.rstrip("/").rsplit("/", 1)[1])
        _until_taken(app, run_id, processes)
        os.killpg(worker.pid, signal.SIGSTOP)  # frozen in the middle: it cannot finish any more
        taken = _run(app, run_id)
        if taken.status == "running":
            break
        os.killpg(worker.pid, signal.SIGCONT)  # quicker than the freeze: once more
    assert taken.status == "running", (taken.status, "every run ended before the worker froze")
    assert taken.claimed_by.endswith(f":{worker.pid}")
    processes.kill(worker)  # SIGKILL

    def reported_failed() -> bool:
        return "Przebieg przerwany" in client.get(run_url).get_data(as_text=True)

    silenced = clock.monotonic()
    wait_until("the run page says the run failed", reported_failed, processes.all_logs)
    print(f"declared failed {clock.monotonic() - silenced:.1f} s after the worker went silent")
    page = client.get(run_url).get_data(as_text=True)
    assert (
        "Przebieg przerwany: proces wykonujący dopasowanie przestał odpowiadać. "
        "Uruchom go ponownie." in page
    )
    assert 'http-equiv="refresh"' not in page
    failed = _run(app, run_id)
    assert (failed.status, failed.failure) == ("failed", queue.WORKER_LOST)
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get(run_url).get_data(as_text=True)
    assert "Run interrupted: the process executing the matching stopped responding" in english
    client.post("/language", data={"language": "pl", "next": "/"})

    start_worker(processes)
    again = client.post(f"/proposals/runs/{run_id}/retry")
    assert again.status_code == 303
    new_id = int(again.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert new_id != run_id
    (done,) = _finished(app, [new_id], processes)
    assert done.params == failed.params
    assert done.stats["volunteers"] == CROWD and done.stats["proposals"] > 0
    seconds = queue.stage_seconds(done)
    assert seconds["total"] >= seconds["loading"] + seconds["solving"] + seconds["saving"] > 0


def _writable(app) -> bool:
    """No other process holds SQLite's write lock (always true on PostgreSQL)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return True
    probe = sqlite3.connect(url.database, timeout=0.2, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def test_two_workers_run_disjoint_runs_at_once_and_overlapping_ones_in_turn(
    app, factory, processes, worker_env
):
    """One worker is held still in the middle of the museum's run; the other worker takes and
    finishes the theatre's run meanwhile. Then a coalition-wide run and a museum run, which
    overlap, run one after the other."""
    worker_env["MATCHING_STALE_SECONDS"] = "120"  # a worker held still here is not a dead one
    museum, theatre = factory.institution("Muzeum Dwóch"), factory.institution("Teatr Dwóch")
    _needs(factory, museum)
    _needs(factory, theatre)
    _crowd(app, CROWD)
    coordinator = _coordinator(factory)
    workers = {
        f"{socket.gethostname()}:{p.pid}": p
        for p in (start_worker(processes), start_worker(processes))
    }

    for _attempt in range(5):
        museum_run = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
        _until_taken(app, museum_run, processes)
        holder = _run(app, museum_run).claimed_by
        os.killpg(workers[holder].pid, signal.SIGSTOP)
        if _run(app, museum_run).status == "running" and _writable(app):
            break
        os.killpg(workers[holder].pid, signal.SIGCONT)  # too quick, or caught writing
        _finished(app, [museum_run], processes)
    else:
        raise AssertionError("the museum's run was never caught in the middle")
    theatre_run = _enqueue(app, coordinator, Scope(frozenset({theatre.id})))
    (b,) = _finished(app, [theatre_run], processes)
    assert _run(app, museum_run).status == "running"  # both at once
    os.killpg(workers[holder].pid, signal.SIGCONT)
    (a,) = _finished(app, [museum_run], processes)
    assert a.claimed_by == holder and set(workers) == {a.claimed_by, b.claimed_by}
    assert a.started_at < b.started_at and b.finished_at < a.finished_at

    coalition_wide = _enqueue(app, coordinator, Scope())
    museum_again = _enqueue(app, coordinator, Scope(frozenset({museum.id})))
    waited = wait_until(
        "the museum's run waits for the coalition-wide one",
        lambda: _state(app, museum_again),
        processes.all_logs,
    )
    assert waited.waiting_for == coalition_wide
    c, d = _finished(app, [coalition_wide, museum_again], processes)
    assert d.started_at >= c.finished_at  # one after the other
    assert c.stats["places"] == 80 and d.stats["places"] == 40


def test_runs_requested_at_the_same_moment_never_fail_and_all_end_done(
    app, factory, processes, worker_env
):
    museum = factory.institution("Muzeum Naraz")
    _needs(factory, museum, count=2)
    _crowd(app, 300)
    coordinators = [_coordinator(factory), _coordinator(factory)]
    start_worker(processes)
    base_url = start_gunicorn(processes, _port(), workers=2)
    visitors = [Visitor(base_url, timeout=60).login(c.email) for c in coordinators]
    before = set(factory.scalars(select(MatchRun.id)))

    answers = []
    rounds = [
        # A double click; two coordinators asking for the same run; two scopes that overlap.
        [ask(visitors[0], "/proposals/run", {}), ask(visitors[0], "/proposals/run", {})],
        [ask(v, "/proposals/run", {}) for v in visitors],
        [
            ask(visitors[0], "/proposals/run", {}),
            ask(visitors[1], "/proposals/run", {"institutions": str(museum.id)}),
        ],
    ]
    created = []
    for calls in rounds:
        got = at_once(calls)
        answers.extend(got)
        new = sorted(set(factory.scalars(select(MatchRun.id))) - before - set(created))
        created.extend(new)
        _finished(app, new, processes)
        assert all(a.status == 200 and a.path.startswith("/proposals/runs/") for a in got), [
            (a.status, a.path) for a in got
        ]
        created_here = len(new)
        assert created_here == (2 if calls is rounds[2] else 1), new

    assert not [a.status for a in answers if a.status >= 500]
    assert not [a for a in answers if "UniqueViolation" in a.page or "IntegrityError" in a.page]
    assert "UniqueViolation" not in processes.all_logs()
    runs = [_run(app, i) for i in created]
    overlapping = runs[-2:]
    first, later = sorted(overlapping, key=lambda r: r.started_at)
    assert later.started_at >= first.finished_at


def test_sigterm_gives_the_run_back_and_the_next_worker_finishes_it(app, factory, processes):
    museum = factory.institution("Muzeum Zmiany Warty")
    _needs(factory, museum)
    _crowd(app, CROWD)
    coordinator = _coordinator(factory)
    for _attempt in range(3):
        worker = start_worker(processes)
        run_id = _enqueue(app, coordinator, Scope())
        _until_taken(app, run_id, processes)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, processes.log(worker)
        given_back = _run(app, run_id)
        if given_back.status != "done":
            break  # stopped in the middle, as meant
    assert "Matching worker" in processes.log(worker) and "stopped" in processes.log(worker)
    assert (given_back.status, given_back.claimed_by, given_back.started_at) == (
        "queued",
        "",
        None,
    ), processes.log(worker)
    start_worker(processes)
    (done,) = _finished(app, [run_id], processes)
    assert done.stats["volunteers"] == CROWD


def test_the_worker_outlives_a_database_that_does_not_answer_yet(
    make_app, processes, worker_env, tmp_path, factory
):
    """The worker starts before its database has any table: every round fails, and the worker
    says so and tries again; once the schema is there it executes the queued run."""
    from app.core.schema import build_from_migrations
    from tests.factories import Factory

    url = f"sqlite:///{tmp_path / 'later.db'}"
    worker_env["DATABASE_URL"] = url
    worker = start_worker(processes)
    wait_until(
        "the worker reports the database's failure",
        lambda: "trying again" in processes.log(worker),
        processes.all_logs,
    )
    later = make_app(database=url)
    with later.app_context():
        build_from_migrations()
    factory = Factory(later)
    museum = factory.institution("Muzeum Późne")
    _needs(factory, museum, count=1, shifts=2)
    run_id = _enqueue(later, _coordinator(factory), Scope())
    _finished(later, [run_id], processes)
    assert worker.poll() is None
