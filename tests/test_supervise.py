"""`make run`'s supervisor: a scheduler that dies is started again; Ctrl-C stops everything.

The real thing on a file database built by the migrations: the supervisor, `flask run` in the
foreground and `flask scheduler` kept beside it, exactly as the Makefile starts them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import free_port
from tests.conftest import make_test_config
from tests.test_faults_gunicorn import BIN
from tests.test_faults_gunicorn import ROOT
from tests.test_faults_gunicorn import Processes
from tests.test_faults_gunicorn import wait_until
from tests.test_faults_scheduler import heartbeat
from tests.test_faults_scheduler import migrate
from tests.test_faults_scheduler import scheduler_env

SUPERVISE = ROOT / "scripts" / "supervise.py"


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def health(port: int) -> dict | None:
    try:
        with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
            return json.loads(response.read())
    except OSError:
        return None


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'okik.db'}"
    env = scheduler_env(url, free_port(), tmp_path)
    migrate(env)
    application = create_app(make_test_config(url, free_port()))
    processes = Processes(tmp_path, env)
    try:
        yield application, processes
    finally:
        processes.stop_all()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_make_run_starts_the_web_server_and_the_scheduler_through_the_supervisor():
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=5999"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    (line,) = [line for line in plan.splitlines() if "supervise.py" in line]
    assert '--keep ".venv/bin/flask --app app scheduler"' in line
    assert line.endswith("-- .venv/bin/flask --app app run --host 127.0.0.1 --port 5999")


def test_a_dead_scheduler_is_started_again_and_ctrl_c_stops_everything(world):
    app, processes = world
    port = free_port()
    flask = str(BIN / "flask")
    supervisor = processes.start(
        "supervise",
        sys.executable,
        str(SUPERVISE),
        "--pause",
        "0.5",
        "--keep",
        f"{flask} --app wsgi scheduler",
        "--",
        flask,
        "--app",
        "wsgi",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    )
    first = wait_until("the scheduler beats", lambda: heartbeat(app), processes.all_logs)
    wait_until(
        "the web server says the scheduler is on time",
        lambda: (health(port) or {}).get("scheduler") == "ok",
        processes.all_logs,
    )

    os.kill(first.pid, signal.SIGKILL)
    second = wait_until(
        "a new scheduler beats",
        lambda: (row := heartbeat(app)) is not None and row.pid != first.pid and row,
        processes.all_logs,
    )
    assert alive(second.pid) and not alive(first.pid)
    assert "ended (exit code -9); starting it again" in processes.log(supervisor)

    os.kill(supervisor.pid, signal.SIGINT)  # Ctrl-C
    assert supervisor.wait(timeout=30) == 0, processes.log(supervisor)
    assert not alive(second.pid)
    assert health(port) is None  # the web server is gone too
