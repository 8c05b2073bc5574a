"""Sign-in limits behind the reverse proxy the README recommends, with real processes: gunicorn
serving `wsgi:app` with rate limits on, a reverse proxy process (tests/reverse_proxy.py) that
appends the peer address to X-Forwarded-For as nginx does, and clients that connect from distinct
loopback addresses (127.0.0.2, 127.0.0.3, ...), so each is a different person to the proxy.

One person's wrong passwords must not lock everybody else out; a header a client writes itself
must not choose its limit; and hopping between addresses must not give unlimited guesses at one
account. The processes run with APP_ENV=development (ProductionConfig's Secure cookies would not
come back over plain http) and one worker, so the limits' memory storage is shared.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import free_port
from tests.conftest import make_test_config
from tests.factories import PASSWORD
from tests.factories import Factory

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRONG = "Zle-haslo-123!"  # noqa: S105 - a wrong password on purpose
WAIT = 30.0
# The defaults of config.py, said here so that a change there is a decision, not an accident.
PER_ADDRESS = 10  # LOGIN_RATE_LIMIT "10 per minute;50 per hour"
PER_ACCOUNT = 20  # LOGIN_ACCOUNT_RATE_LIMIT "20 per 10 minutes"


class Person:
    """A browser on one loopback address: keeps its cookies, sends the CSRF token of the form."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address = port, address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=WAIT, source_address=(self.address, 0)
        )
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, page

    def sign_in(self, email: str, password: str, headers=None) -> int:
        status, page = self.request("GET", "/login")
        assert status == 200, page
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "email": email, "password": password}
        return self.request("POST", "/login", form, headers)[0]


def wait_for(what: str, check, logs) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {WAIT:.0f} s\n{logs()}")
        time.sleep(0.1)


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


class Stack:
    """gunicorn and the proxy in front of it, each in its own process group."""

    def __init__(self, directory: Path, env: dict[str, str], trusted_proxies: int) -> None:
        self.directory = directory
        self.env = {**env, "TRUSTED_PROXIES": str(trusted_proxies)}
        self.web_port, self.proxy_port = free_port(), free_port()
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = self.directory / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append((proc, log))
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.processes
        )

    def start(self) -> Stack:
        self._start(
            "gunicorn",
            str(BIN / "gunicorn"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "wsgi:app",
        )
        self._start(
            "proxy",
            sys.executable,
            "-m",
            "tests.reverse_proxy",
            "--port",
            str(self.proxy_port),
            "--upstream",
            str(self.web_port),
        )
        wait_for("gunicorn answers", lambda: answers(self.web_port), self.logs)
        wait_for("the proxy answers", lambda: answers(self.proxy_port), self.logs)
        return self

    def stop(self) -> None:
        for proc, _log in self.processes:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def behind_proxy(self, address: str) -> Person:
        return Person(self.proxy_port, address)

    def direct(self, address: str) -> Person:
        return Person(self.web_port, address)


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    """An SQLite file built by the migrations, and what an operator would set for the processes."""
    directory = tmp_path_factory.mktemp("proxied")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "TEST_DATABASE", "RATELIMIT_", "LOGIN_"))
    }
    env.update(
        APP_ENV="development",
        DATABASE_URL=f"sqlite:///{directory / 'okik.db'}",
        SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_ENABLED="1",
        RATELIMIT_STORAGE_URI="memory://",
        CACHE_DIR=str(directory / "cache"),
        LOG_FORMAT="text",
        PYTHONUNBUFFERED="1",
    )
    migrated = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return env


@pytest.fixture(scope="module")
def accounts(environment, smtp_server) -> dict[str, str]:
    application = create_app(make_test_config(environment["DATABASE_URL"], smtp_server[1]))
    factory = Factory(application)
    names = ("ala", "bartek", "celina", "dorota", "edek", "franek")
    emails = {name: factory.user(email=f"{name}@example.org").email for name in names}
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    return emails


def _stack(tmp_path_factory, environment, trusted: int) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp(f"trusted{trusted}"), environment, trusted)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def trusting_one_proxy(tmp_path_factory, environment, accounts) -> Iterator[Stack]:
    yield from _stack(tmp_path_factory, environment, 1)


@pytest.fixture(scope="module")
def trusting_no_proxy(tmp_path_factory, environment, accounts) -> Iterator[Stack]:
    yield from _stack(tmp_path_factory, environment, 0)


def test_one_persons_wrong_passwords_lock_out_only_that_person(trusting_one_proxy, accounts):
    a = trusting_one_proxy.behind_proxy("127.0.0.2")
    b = trusting_one_proxy.behind_proxy("127.0.0.3")
    codes = [a.sign_in(accounts["ala"], WRONG) for _ in range(PER_ADDRESS + 1)]
    assert codes == [422] * PER_ADDRESS + [429], trusting_one_proxy.logs()
    assert a.sign_in(accounts["ala"], PASSWORD) == 429
    # Writing another address into the header changes nothing: the proxy appends the real one,
    # and only the proxy's word is believed.
    assert a.sign_in(accounts["ala"], PASSWORD, {"X-Forwarded-For": "203.0.113.7"}) == 429
    assert b.sign_in(accounts["bartek"], PASSWORD) == 302


def test_hopping_between_addresses_stops_at_the_accounts_limit(trusting_one_proxy, accounts):
    hops = [trusting_one_proxy.behind_proxy(f"127.0.0.{n}") for n in (4, 5, 6)]
    per_hop = PER_ACCOUNT // len(hops) + 1  # under each address's limit, over the account's
    codes = [hop.sign_in(accounts["celina"], WRONG) for hop in hops for _ in range(per_hop)]
    assert codes[:PER_ACCOUNT] == [422] * PER_ACCOUNT, trusting_one_proxy.logs()
    assert set(codes[PER_ACCOUNT:]) == {429}
    # The account is held, from anywhere; the addresses still serve other accounts.
    assert trusting_one_proxy.behind_proxy("127.0.0.7").sign_in(accounts["celina"], PASSWORD) == 429
    assert hops[-1].sign_in(accounts["dorota"], PASSWORD) == 302


def test_without_trusted_proxies_a_clients_own_header_is_ignored(trusting_no_proxy, accounts):
    d = trusting_no_proxy.direct("127.0.0.8")
    codes = [
        d.sign_in(accounts["edek"], WRONG, {"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(PER_ADDRESS + 1)
    ]
    assert codes == [422] * PER_ADDRESS + [429], trusting_no_proxy.logs()
    # And behind a proxy that the app was not told about, the proxy is the only client it sees.
    behind = [trusting_no_proxy.behind_proxy(f"127.0.0.{n}") for n in (9, 10)]
    for _ in range(PER_ADDRESS):
        assert behind[0].sign_in(accounts["franek"], WRONG) == 422
    assert behind[1].sign_in(accounts["franek"], PASSWORD) == 429
