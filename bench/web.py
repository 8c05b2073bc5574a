"""Load benchmark of the production shape: gunicorn on PostgreSQL at national scale.

    make bench-web            (BENCH_WEB_ARGS="--skip-load" reuses the data already loaded)
    .venv/bin/python -m bench.web --locust .venv-load/bin/locust [--clients 50] [--seconds 30]

Steps: fill PostgreSQL with `bench.national` (unless --skip-load), start gunicorn on 127.0.0.1 as
the Procfile does (4 sync workers, production configuration, Redis for limits and the search
cache), sign in a volunteer and a coordinator, then drive each endpoint from separate processes:

* wrk (Debian's package) with 50 connections that never pause saturates the server: `max_rps` is
  the throughput it reaches, with the latency it then shows (`saturated_p95_ms`); it runs first,
  so every worker is warm when the people arrive;
* locust with 50 people who each click, read for 1 to 5 s (`--think-ms`) and click again; they
  all arrive within 2 s and the figures start once they have: `requests`, `errors`, `rps`,
  `p50_ms`, `p95_ms`, `p99_ms` are what those people saw.

Each run stops at `--max-requests` or its time, whichever comes first, and talks to 127.0.0.1
only. One JSON line per endpoint, then one line with the targets: p95 under 100 ms for every page,
and the needs search reaching at least 40% of the throughput of a trivial endpoint (`ceiling`,
`/healthz`, one `SELECT 1`).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess  # noqa: S404 - starts our own gunicorn and Debian's wrk
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from bench import national
from bench.needs_search import search_mix

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
P95_TARGET_MS = 100.0
CEILING_SHARE_TARGET = 0.40

LUA = """
local paths = {%(paths)s}
local cookie = "%(cookie)s"
local limit = %(limit)d
local sent, seen = 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
  sent = math.random(#paths)
end

function request()
  sent = sent + 1
  local headers = {["Accept-Language"] = "pl"}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[(sent %% #paths) + 1], headers)
end

function response(status, headers, body)
  seen = seen + 1
  if seen >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "errors": %%d, "status_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_run(
    port: int,
    paths: list[str],
    cookie: str,
    clients: int,
    seconds: int,
    max_requests: int,
    workdir: Path,
) -> dict:
    """Clients that never pause: the throughput the server reaches and its latency then."""
    threads = 2
    script = workdir / "load.lua"
    script.write_text(
        LUA
        % {
            "paths": ", ".join(json.dumps(p) for p in paths),
            "cookie": cookie,
            "limit": max(1, max_requests // threads),
        }
    )
    output = subprocess.run(  # noqa: S603 - fixed arguments, loopback only
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://{HOST}:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    found = re.search(r"RESULT (\{.*\})", output)
    if not found:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(found.group(1))
    duration = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "errors": raw["errors"],
        "status_errors": raw["status_errors"],
        "timeouts": raw["timeouts"],
        "rps": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
    }


def locust_run(
    locust: Path,
    port: int,
    name: str,
    paths: list[str],
    cookie: str,
    clients: int,
    seconds: int,
    max_requests: int,
    think_ms: str,
    workdir: Path,
) -> dict:
    """People who click, read and click again; all have arrived before the figures start."""
    ramp = 2
    env = {
        **os.environ,
        "BENCH_ENDPOINT": name,
        "BENCH_PATHS": json.dumps(paths),
        "BENCH_COOKIE": cookie,
        "BENCH_THINK_MS": think_ms,
        "BENCH_MAX_REQUESTS": str(max_requests),
    }
    prefix = workdir / f"users-{name}"
    subprocess.run(  # noqa: S603 - fixed arguments, loopback only
        [
            str(locust),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(clients),
            "--spawn-rate",
            str(max(1, clients // ramp)),
            "--run-time",
            f"{seconds + ramp}s",
            "--reset-stats",
            "--only-summary",
            "--host",
            f"http://{HOST}:{port}",
            "--csv",
            str(prefix),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + ramp + 60,
        check=False,  # locust exits 1 when any request failed; the figures say so
    )
    with open(f"{prefix}_stats.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == name)
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = {r["Error"][:120]: int(r["Occurrences"]) for r in csv.DictReader(f)}
    return {
        "failures": failures,
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def server_env(url: str, port: int | None = None) -> dict[str, str]:
    """The environment of the app's processes here: production settings on `url`, no e-mail."""
    return {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_URL": f"http://{HOST}:{port or 80}",
        "MAIL_SERVER": "",
    }


def start_gunicorn(url: str, port: int, workers: int, threads: int, worker_class: str, log: Path):
    env = server_env(url, port)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            # gunicorn turns sync workers with threads into gthread ones: one thread each.
            str(threads if worker_class == "gthread" else 1),
            "--bind",
            f"{HOST}:{port}",
            "--backlog",
            "256",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped; see {log}")
        try:
            status, _headers, _body = get(port, "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def get(
    port: int,
    path: str,
    cookie: str = "",
    body: str | None = None,
    headers: dict[str, str] | None = None,
):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode()
    conn.close()
    return response.status, response.getheaders(), data


def _cookies(headers, jar: dict[str, str]) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _eq, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


def sign_in(port: int, email: str) -> str:
    """Sign in as a browser would (CSRF token, session cookie) and return the Cookie header."""
    jar: dict[str, str] = {}
    status, headers, page = get(port, "/login")
    _cookies(headers, jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or not token:
        raise RuntimeError("the login page has no CSRF token")
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    body = urlencode({"csrf_token": token.group(1), "email": email, "password": national.PASSWORD})
    status, headers, _page = get(port, "/login", cookie, body)
    if status != 302:
        raise RuntimeError(f"signing in {email} answered {status}")
    _cookies(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def endpoints(world: national.World, volunteer: str, coordinator: str) -> list[tuple]:
    searches = search_mix(world.skill_ids[4], "instytucja-777")
    api = [{k: ("true" if v == "1" else v) for k, v in s.items()} for s in searches]
    step = max(1, world.needs // 97)
    need_ids = list(range(1, world.needs + 1, step))
    return [
        ("ceiling", ["/healthz"], ""),
        ("needs_search", [f"/needs/?{urlencode(s)}" if s else "/needs/" for s in searches], ""),
        ("need_page", [f"/needs/{n}" for n in need_ids], ""),
        ("volunteer_schedule", ["/me/schedule"], volunteer),
        (
            "coordinator_proposals",
            [f"/proposals/runs/{world.run_id}?page={p}" for p in range(1, 11)],
            coordinator,
        ),
        (
            "api_needs",
            [f"/api/v1/needs?{urlencode(s)}" if s else "/api/v1/needs" for s in api]
            + [f"/api/v1/needs/{n}" for n in need_ids[:15]],
            "",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=national.DEFAULT_URL)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data already loaded")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=5_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--past-assignments", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30, help="longest run per endpoint")
    parser.add_argument("--max-requests", type=int, default=20_000, help="most per run")
    parser.add_argument(
        "--think-ms", default="1000-5000", help="a person's pause between clicks, in ms"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    # As the Procfile runs it: 4 sync workers (behind nginx in production).
    parser.add_argument("--worker-class", default="sync", choices=["gthread", "sync"])
    parser.add_argument("--only", default="", help="comma-separated endpoints to run")
    parser.add_argument("--locust", default=str(ROOT / ".venv-load" / "bin" / "locust"))
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk (make bench-web installs it)", file=sys.stderr)
        return 2
    locust = Path(args.locust)
    if not locust.exists():
        print(f"locust is missing at {locust} (make bench-web installs it)", file=sys.stderr)
        return 2

    if args.skip_load:
        world = national.World(
            volunteers=args.volunteers,
            institutions=args.institutions,
            needs=args.needs,
            shifts=0,
            past_assignments=args.past_assignments,
            proposals=0,
            seconds=0.0,
            volunteer_email="wolontariusz1@example.org",
            coordinator_email="koordynacja@example.org",
            staff_email="kadra1@example.org",
            run_id=1,
            skill_ids=list(range(1, 31)),
        )
    else:
        world = national.load(
            args.database_url,
            args.volunteers,
            args.institutions,
            args.needs,
            args.past_assignments,
        )
        print(json.dumps({"data": asdict(world)}, ensure_ascii=False), flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="okik-bench-web-"))
    server = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        args.threads,
        args.worker_class,
        workdir / "gunicorn.log",
    )
    results: dict[str, dict] = {}
    try:
        volunteer = sign_in(args.port, world.volunteer_email)
        coordinator = sign_in(args.port, world.coordinator_email)
        chosen = set(filter(None, args.only.split(","))) | {"ceiling", "needs_search"}
        for name, paths, cookie in endpoints(world, volunteer, coordinator):
            if args.only and name not in chosen:
                continue
            for path in paths[:3]:  # a wrong page stops the benchmark here
                status, _h, _b = get(args.port, path, cookie)
                if status != 200:
                    raise RuntimeError(f"{name}: {path} answered {status}")
            # Saturation first: it also warms every worker (templates compiled, connections
            # open), as a server that has been up for a while is.
            saturated = wrk_run(
                args.port,
                paths,
                cookie,
                args.clients,
                max(5, args.seconds // 2),
                args.max_requests,
                workdir,
            )
            time.sleep(3)  # let the server finish what the saturating clients left queued
            users = locust_run(
                locust,
                args.port,
                name,
                paths,
                cookie,
                args.clients,
                args.seconds,
                args.max_requests,
                args.think_ms,
                workdir,
            )
            line = {
                "endpoint": name,
                **users,
                "clients": args.clients,
                "think_ms": args.think_ms,
                "max_rps": saturated["rps"],
                "saturated_p95_ms": saturated["p95_ms"],
                "saturated_errors": saturated["errors"],
                "saturated_error_kinds": {
                    "http_status": saturated["status_errors"],
                    "timeout": saturated["timeouts"],
                    "socket": saturated["errors"]
                    - saturated["status_errors"]
                    - saturated["timeouts"],
                },
            }
            results[name] = line
            print(json.dumps(line), flush=True)
    finally:
        stop(server)
    share = results["needs_search"]["max_rps"] / results["ceiling"]["max_rps"]
    slowest = max((r["p95_ms"], n) for n, r in results.items() if n != "ceiling")
    summary = {
        "targets": {
            "p95_under_ms": P95_TARGET_MS,
            "slowest_p95": {"endpoint": slowest[1], "p95_ms": slowest[0]},
            "p95_met": slowest[0] < P95_TARGET_MS,
            "needs_search_share_of_ceiling": round(share, 2),
            "share_met": share >= CEILING_SHARE_TARGET,
            "errors": sum(r["errors"] + r["saturated_errors"] for r in results.values()),
        },
        "server": {
            "worker_class": args.worker_class,
            "workers": args.workers,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "cpus": os.cpu_count(),
        },
    }
    print(json.dumps(summary), flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    met = summary["targets"]["p95_met"] and summary["targets"]["share_met"]
    return 0 if met and summary["targets"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
