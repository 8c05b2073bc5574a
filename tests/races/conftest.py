"""The world the races run in: a database of their own, built by the migrations, served by gunicorn
with four sync workers as in the Procfile, and people signed in through the login form.

The database is `okik_races` on the server of TEST_DATABASE_URL (RACES_DATABASE names another, so
that runs side by side do not clash); it is dropped at the end. RACE_ROUNDS sets how many rounds
each scenario plays (10 unless told). Rate limits are off in the served app: the races sign in
dozens of people within seconds from one address, which the limits exist to stop.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models import Role
from config import TestConfig
from tests.conftest import TEST_DATABASE_URL
from tests.conftest import free_port
from tests.factories import Factory
from tests.live_server import BIN
from tests.live_server import ROOT
from tests.live_server import Processes
from tests.live_server import Visitor
from tests.live_server import start_gunicorn
from tests.races.harness import Calendar
from tests.races.harness import Round
from tests.races.harness import Scoreboard

RACES_DATABASE = os.environ.get("RACES_DATABASE", "okik_races")
ROUNDS = int(os.environ.get("RACE_ROUNDS") or 10)
WORKERS = 4
SHOWN_NOTES = 12  # details of failed rounds quoted in a failing scenario's message


@pytest.fixture(scope="package")
def race_database_url() -> Iterator[str]:
    server = make_url(TEST_DATABASE_URL)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RACES_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{RACES_DATABASE}"')
    try:
        yield server.set(database=RACES_DATABASE).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{RACES_DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="package")
def race_environment(race_database_url, tmp_path_factory) -> dict[str, str]:
    """What an operator would put in the environment of the web processes (see
    tests/test_faults_gunicorn.py for why APP_ENV is development over plain HTTP)."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_", "CACHE_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=race_database_url,
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        RACE_PORT=str(port),
        LOG_FORMAT="text",
        RATELIMIT_ENABLED="0",
        CACHE_DIR=str(tmp_path_factory.mktemp("race-cache")),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="package")
def race_server(race_environment, tmp_path_factory) -> Iterator[str]:
    """The schema from the migrations, as on a server; then gunicorn serving it."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=race_environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    processes = Processes(tmp_path_factory.mktemp("race-gunicorn"), race_environment)
    try:
        yield start_gunicorn(processes, int(race_environment["RACE_PORT"]), WORKERS)
    finally:
        processes.stop_all()


@pytest.fixture(scope="package")
def race_app(race_database_url, race_server):
    """An in-process app on the race database, only to set up each round and to count after it."""
    config = type("RaceDataConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": race_database_url})
    application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


class World:
    """The institutions, the people signed in (one browser session each, kept for the whole run)
    and the scoreboard."""

    def __init__(self, base_url: str, app, scoreboard: Scoreboard) -> None:
        self.base_url = base_url
        self.factory = Factory(app)
        self.scoreboard = scoreboard
        self.calendar = Calendar()
        self.rounds = ROUNDS
        self.museum = self.factory.institution("Muzeum Wyścigów")
        self.theatre = self.factory.institution("Teatr Wyścigów")
        self._sessions: dict[str, tuple[object, Visitor]] = {}

    def _signed_in(self, name: str, make_user: Callable[[], object]) -> tuple[object, Visitor]:
        if name not in self._sessions:
            user = make_user()
            self._sessions[name] = (user, Visitor(self.base_url, timeout=60).login(user.email))
        return self._sessions[name]

    def staff(self, name: str, institution) -> Visitor:
        return self._signed_in(
            name, lambda: self.factory.user(Role.STAFF, institution=institution)
        )[1]

    def coordinator(self, name: str) -> Visitor:
        return self._signed_in(name, lambda: self.factory.user(Role.COORDINATOR))[1]

    def volunteer(self, name: str):
        """A volunteer and their browser; (user, visitor)."""
        return self._signed_in(name, self.factory.user)

    def play(
        self, scenario: str, one_round: Callable[[Round], None], rounds: int | None = None
    ) -> None:
        """Play the scenario's rounds (RACE_ROUNDS unless told), counting after each, then
        require every count but the rounds to be zero."""
        notes: list[str] = []
        for number in range(1, (rounds or self.rounds) + 1):
            current = Round(self.factory, self.calendar)
            one_round(current)
            findings = current.findings()
            self.scoreboard.add(scenario, findings)
            notes.extend(f"round {number}: {note}" for note in current.notes)
        row = self.scoreboard.row(scenario)
        problems = {title: n for title, n in row.items() if title != "rounds" and n}
        assert not problems, f"{scenario}: {problems} in {row['rounds']} rounds\n" + "\n".join(
            notes[:SHOWN_NOTES]
        )


@pytest.fixture(scope="package")
def scoreboard(request) -> Scoreboard:
    """Registered as a plugin: it prints the totals table in the run's terminal summary."""
    board = Scoreboard()
    request.config.pluginmanager.register(board, "races-scoreboard")
    return board


@pytest.fixture(scope="package")
def world(race_server, race_app, scoreboard) -> World:
    return World(race_server, race_app, scoreboard)
