"""A coalition-wide matching run at national scale, started the way a coordinator starts it.

    make bench-matching       (BENCH_MATCHING_ARGS="--skip-load" reuses the data already loaded)
    .venv/bin/python -m bench.matching_run [--database-url URL] [--skip-load] [--people 50]

Steps: fill PostgreSQL with `bench.national` without its finished run (unless --skip-load), start
gunicorn as the Procfile does (4 sync workers, production configuration) and the matching worker
(`flask --app app matching-worker`), sign in as the coordinator, open the matching page, and send
its form with nothing chosen (the whole coalition, every date) and the page's CSRF token, as the
browser does. The web request only queues the run; the worker claims it, loads, solves and saves.

While that goes on, a second client plays 50 people on the needs search (the bench-web model:
they arrive within 2 s, each asks, reads for 1 to 5 s and asks again), first for
`--baseline-seconds` before the run, then for as long as the run lasts. The worker's memory is
read from /proc (VmHWM, its peak resident set, for it and any process it starts) every 0.1 s.

One JSON line at the end: seconds per stage (queue wait, loading, solving, saving, total), the
worker's peak RSS, the volunteers and places the run considered, its proposals and the needs with
at least one, the search's p95 while the run went (and before it), and whether each target holds:
the run within 30 s, the worker within 1.5 GB, the search's p95 within 100 ms. The exit status is
0 only when the run finished and every target holds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess  # noqa: S404 - starts our own gunicorn and matching worker
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlencode
from urllib.parse import urlparse

import psycopg

from bench import national
from bench.needs_search import search_mix
from bench.web import get
from bench.web import server_env
from bench.web import sign_in
from bench.web import start_gunicorn
from bench.web import stop

ROOT = Path(__file__).resolve().parent.parent
RUN_TARGET_SECONDS = 30.0
RSS_TARGET_MB = 1536.0
P95_TARGET_MS = 100.0
WORKER_COMMAND = f"{Path(sys.executable).with_name('flask')} --app app matching-worker"
# The interface of the queue: seconds per stage of a run, read in the app's own terms.
STAGE_SECONDS = """
import json, sys
from app import create_app
from app.extensions import db
from app.models import MatchRun
try:
    from app.services.matching_queue import stage_seconds
except ImportError:
    sys.exit(3)
with create_app().app_context():
    print(json.dumps(stage_seconds(db.session.get(MatchRun, int(sys.argv[1])))))
"""
STAGES = ("queue_wait", "loading", "solving", "saving", "total")


# --- the worker's memory ------------------------------------------------------------------------


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds the process has used (/proc/<pid>/stat, fields 14 and 15):
    on a shared machine a steadier figure than the wall clock."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """The process and everything it started, from /proc/<pid>/task/*/children."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except FileNotFoundError:
                pass
    return found


class MemoryWatch(threading.Thread):
    """Polls the worker's peak resident set (VmHWM) so that a short-lived child is seen too."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak_kb = 0  # the largest VmHWM of one process of the worker
        self.peak_total_kb = 0  # the largest sum of VmRSS over the worker's processes at once
        self.cpu_seconds = 0.0  # CPU the worker's processes have used, at the last sample
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.every)

    def sample(self) -> None:
        pids = _descendants(self.pid)
        self.peak_kb = max([self.peak_kb] + [_status_kb(p, "VmHWM") for p in pids])
        self.peak_total_kb = max(self.peak_total_kb, sum(_status_kb(p, "VmRSS") for p in pids))
        self.cpu_seconds = max(self.cpu_seconds, sum(_cpu_seconds(p) for p in pids))

    def stop(self) -> None:
        self.sample()
        self.done.set()
        self.join(timeout=5)


# --- people on the needs search -----------------------------------------------------------------


@dataclass
class Sample:
    started: float  # time.monotonic() when the request went out
    ms: float
    status: int


@dataclass
class SearchPeople:
    """People who each ask the search, read for a while and ask again (threads, one each)."""

    port: int
    paths: list[str]
    people: int = 50
    think_ms: tuple[int, int] = (1000, 5000)
    arrive_seconds: float = 2.0
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._person, args=(i,), daemon=True)
            for i in range(self.people)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=35)

    def _person(self, seed: int) -> None:
        rng = random.Random(seed)
        turn = rng.randrange(len(self.paths))
        if self._stop.wait(rng.uniform(0, self.arrive_seconds)):
            return
        while not self._stop.is_set():
            turn = (turn + 1) % len(self.paths)
            started = time.monotonic()
            try:
                status, _headers, _body = get(
                    self.port, self.paths[turn], headers={"Accept-Language": "pl"}
                )
            except (OSError, http.client.HTTPException):
                status = 0
            sample = Sample(started, (time.monotonic() - started) * 1000, status)
            with self._lock:
                self.samples.append(sample)
            self._stop.wait(rng.uniform(*self.think_ms) / 1000)

    def figures(self, since: float, until: float) -> dict:
        with self._lock:
            chosen = [s for s in self.samples if since <= s.started <= until]
        times = sorted(s.ms for s in chosen)
        return {
            "requests": len(chosen),
            "errors": sum(1 for s in chosen if s.status != 200),
            "p50_ms": _percentile(times, 50),
            "p95_ms": _percentile(times, 95),
            "p99_ms": _percentile(times, 99),
        }


def _percentile(ordered: list[float], pct: int) -> float | None:
    """Nearest rank: the smallest value with at least `pct`% of the samples at or below it."""
    if not ordered:
        return None
    rank = max(1, -(-pct * len(ordered) // 100))
    return round(ordered[rank - 1], 1)


# --- the coordinator's form ---------------------------------------------------------------------


def csrf_of_form(page: str, action: str) -> str:
    """The CSRF token inside the form that posts to `action`."""
    for form in re.finditer(r"<form\b[^>]*>.*?</form>", page, re.S):
        if f'action="{action}"' in form.group(0).split(">", 1)[0]:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(0))
            if token:
                return token.group(1)
    raise RuntimeError(f"the page has no form posting to {action} with a CSRF token")


def start_run_as_coordinator(port: int, cookie: str) -> int:
    """Open the matching page and send its form untouched: the whole coalition, every date."""
    status, _headers, page = get(port, "/proposals/", cookie)
    if status != 200:
        raise RuntimeError(f"the matching page answered {status}")
    token = csrf_of_form(page, "/proposals/run")
    body = urlencode({"csrf_token": token, "date_from": "", "date_to": ""})
    status, headers, _page = get(port, "/proposals/run", cookie, body)
    location = dict((k.lower(), v) for k, v in headers).get("location", "")
    found = re.search(r"/proposals/runs/(\d+)$", urlparse(location).path)
    if status not in (302, 303) or not found:
        raise RuntimeError(f"starting the run answered {status} {location!r}")
    return int(found.group(1))


# --- the run ------------------------------------------------------------------------------------


def _psycopg_url(url: str) -> str:
    return national._psycopg_url(url)


def wait_for_run(url: str, run_id: int, timeout: float, worker) -> dict:
    """Poll the run's row until the worker says it is done or failed."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT status, stage, stats, error FROM match_run WHERE id = %s", (run_id,)
            ).fetchone()
            if row is None:
                raise RuntimeError(f"run {run_id} is not in match_run")
            status, stage, stats, error = row
            if status in ("done", "failed"):
                return {"status": status, "stats": stats or {}, "error": error}
            if worker.poll() is not None:
                raise RuntimeError(f"the matching worker stopped (exit {worker.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"run {run_id} still {status} {stage!r} after {timeout:.0f} s")
            time.sleep(0.2)


def wait_for_tidy(url: str, run_id: int, timeout: float = 60.0) -> float | None:
    """Seconds from the run's end until the worker's vacuum of `assignment` is recorded, or None
    after `timeout`. The worker tidies up after reporting the run done; stopping it earlier
    would leave the next run page planned on statistics without the run's proposals."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(_psycopg_url(url), autocommit=True) as conn:
        while True:
            waited = conn.execute(
                "SELECT extract(epoch FROM v.last_vacuum - r.finished_at) FROM match_run r, "
                "pg_stat_user_tables v WHERE r.id = %s AND v.relname = 'assignment' "
                "AND v.last_vacuum >= r.finished_at",
                (run_id,),
            ).fetchone()
            if waited is not None:
                return round(float(waited[0]), 2)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)


def stage_seconds(url: str, run_id: int) -> dict:
    """Seconds per stage, from the queue's own accounting; if the app has none, from the run's
    columns (created_at, started_at, finished_at and the stages with the moment each began)."""
    env = {**server_env(url), "APP_ENV": "development"}
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own code
        [sys.executable, "-c", STAGE_SECONDS, str(run_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        return {k: _rounded(figures.get(k)) for k in STAGES}
    if done.returncode != 3:
        raise RuntimeError(f"stage_seconds failed:\n{done.stderr[-2000:]}")
    with psycopg.connect(_psycopg_url(url)) as conn:
        created, started, finished, stages = conn.execute(
            "SELECT created_at, started_at, finished_at, stages FROM match_run WHERE id = %s",
            (run_id,),
        ).fetchone()
    began = {s["stage"]: _moment(s["at"]) for s in stages or ()}

    def between(a, b):
        return _rounded((b - a).total_seconds()) if a and b else None

    return {
        "queue_wait": between(created, started),
        "loading": between(began.get("loading"), began.get("solving")),
        "solving": between(began.get("solving"), began.get("saving")),
        "saving": between(began.get("saving"), finished),
        "total": between(created, finished),
    }


def _moment(value):
    from datetime import datetime

    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 2)


def stored(url: str, run_id: int) -> dict:
    """What the run left in the database: proposals and the needs they cover."""
    with psycopg.connect(_psycopg_url(url)) as conn:
        proposals, needs = conn.execute(
            "SELECT count(*), count(DISTINCT need_id) FROM assignment "
            "WHERE match_run_id = %s AND status = 'proposed'",
            (run_id,),
        ).fetchone()
    return {"proposals": proposals, "needs_with_proposal": needs}


def start_worker(url: str, command: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own command
        shlex.split(command),
        cwd=ROOT,
        env=server_env(url),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(2)
    if process.poll() is not None:
        raise RuntimeError(f"the matching worker stopped at once; see {log}")
    return process


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=national.DEFAULT_URL)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data already loaded")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=5_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--past-assignments", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=50, help="people on the needs search")
    parser.add_argument(
        "--think-ms", default="1000-5000", help="a person's pause between clicks, in ms"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=10.0, help="search sampled before the run"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="longest wait for the run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--worker-command", default=WORKER_COMMAND)
    args = parser.parse_args(argv)
    low, _, high = args.think_ms.partition("-")

    world = None
    if not args.skip_load:
        world = national.load(
            args.database_url,
            args.volunteers,
            args.institutions,
            args.needs,
            args.past_assignments,
            finished_run=False,
        )
        print(json.dumps({"data": asdict(world)}, ensure_ascii=False), flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="okik-bench-matching-"))
    server = start_gunicorn(
        args.database_url, args.port, args.workers, 1, "sync", workdir / "gunicorn.log"
    )
    worker = watch = people = None
    try:
        worker = start_worker(args.database_url, args.worker_command, workdir / "worker.log")
        watch = MemoryWatch(worker.pid)
        watch.start()
        watch.sample()
        idle_cpu = watch.cpu_seconds  # its start-up, before the run
        coordinator = sign_in(args.port, "koordynacja@example.org")
        skill = world.skill_ids[4] if world else 5
        paths = [
            f"/needs/?{urlencode(s)}" if s else "/needs/"
            for s in search_mix(skill, "instytucja-777")
        ]
        for path in paths[:3]:  # a wrong page stops the benchmark here
            status, _h, _b = get(args.port, path)
            if status != 200:
                raise RuntimeError(f"needs search: {path} answered {status}")
        people = SearchPeople(args.port, paths, args.people, (int(low), int(high or low)))
        people.start()
        time.sleep(people.arrive_seconds)
        baseline_from = time.monotonic()
        time.sleep(args.baseline_seconds)
        posted = time.monotonic()
        run_id = start_run_as_coordinator(args.port, coordinator)
        outcome = wait_for_run(args.database_url, run_id, args.timeout, worker)
        finished = time.monotonic()
        people.stop()
        watch.stop()
        page_status, _h, _b = get(args.port, f"/proposals/runs/{run_id}", coordinator)
        vacuumed_after = wait_for_tidy(args.database_url, run_id)
    finally:
        if people is not None:
            people.stop()
        if watch is not None:
            watch.stop()
        if worker is not None:
            stop_worker(worker)
        stop(server)

    seconds = stage_seconds(args.database_url, run_id)
    stats = outcome["stats"]
    kept = stored(args.database_url, run_id)
    during = people.figures(posted, finished)
    before = people.figures(baseline_from, posted)
    rss_mb = round(watch.peak_kb / 1024, 1)
    total = seconds["total"] if seconds["total"] is not None else round(finished - posted, 2)
    targets = {
        "run_seconds_max": RUN_TARGET_SECONDS,
        "run_met": outcome["status"] == "done" and total <= RUN_TARGET_SECONDS,
        "worker_rss_mb_max": RSS_TARGET_MB,
        "worker_rss_met": rss_mb <= RSS_TARGET_MB,
        "search_p95_ms_max": P95_TARGET_MS,
        "search_p95_met": during["p95_ms"] is not None
        and during["p95_ms"] <= P95_TARGET_MS
        and during["errors"] == 0,
    }
    line = {
        "run_id": run_id,
        "status": outcome["status"],
        "error": outcome["error"],
        "seconds": seconds,
        "seconds_seen_by_client": round(finished - posted, 2),
        "seconds_until_vacuumed": vacuumed_after,
        "worker_peak_rss_mb": rss_mb,
        "worker_peak_rss_all_processes_mb": round(watch.peak_total_kb / 1024, 1),
        "worker_cpu_seconds_during_run": round(watch.cpu_seconds - idle_cpu, 1),
        "load_average_after_run": round(os.getloadavg()[0], 1),
        "volunteers": stats.get("volunteers"),
        "places": stats.get("places"),
        "pairs": stats.get("pairs"),
        "solving_seconds_by_phase": stats.get("seconds_by_phase"),
        "proposals": kept["proposals"],
        "needs_with_proposal": kept["needs_with_proposal"],
        "run_page_status": page_status,
        "search_during_run": during,
        "search_before_run": before,
        "people": args.people,
        "think_ms": args.think_ms,
        "targets": targets,
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)
    if outcome["status"] == "done":
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"the logs of gunicorn and the worker are in {workdir}", file=sys.stderr)
    met = all(v for k, v in targets.items() if k.endswith("_met"))
    return 0 if met and page_status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
