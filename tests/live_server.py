"""Real processes and HTTP visitors for the tests that talk to the app as it is served.

Tests that start gunicorn or `flask scheduler` as child processes share these pieces: a waiting
helper with a bound, a keeper of child processes that always kills what it started, a starter for
gunicorn as the Procfile runs it, and a visitor that keeps cookies like a browser and signs in
through the login form.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.request import HTTPCookieProcessor
from urllib.request import HTTPRedirectHandler
from urllib.request import build_opener

from gunicorn.config import KNOWN_SETTINGS

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WAIT = 30.0  # the longest any single wait may take, in seconds
STARTUP_WAIT = 120.0  # four workers importing the app on a busy machine take their time
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def wait_until(
    what: str, check: Callable[[], object], explain: Callable[[], str] = str, seconds: float = WAIT
):
    """Poll `check` until it returns something true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:.0f} s\n{explain()}")
        time.sleep(0.1)


class Processes:
    """Child processes, each in its own process group with its output in a file; all of them are
    killed (group and all) when the fixture that owns them ends."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.running: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}

    def start(self, name: str, *args: str, stdin=None) -> subprocess.Popen:
        log = self.directory / f"{name}-{len(self.logs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=self.env,
                stdin=stdin,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(proc)
        self.logs[proc.pid] = log
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        return self.logs[proc.pid].read_text(errors="replace")

    def all_logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}" for path in self.logs.values()
        )

    def kill(self, proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)
            if proc.stdin is not None:
                proc.stdin.close()
        self.running.clear()


def start_gunicorn(processes: Processes, port: int, workers: int) -> str:
    """`gunicorn wsgi:app` with sync workers on a loopback port, as the Procfile's web line;
    returns the base URL once the login page answers.

    Where gunicorn has a control socket (one path per user by default), the test's server does
    without: it must not take over the socket of another gunicorn on the machine.
    """
    base_url = f"http://127.0.0.1:{port}"
    options = ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        options.append("--no-control-socket")
    server = processes.start("gunicorn", str(BIN / "gunicorn"), *options, "wsgi:app")

    def serving() -> bool:
        assert server.poll() is None, processes.all_logs()
        try:
            return Visitor(base_url).get("/login")[0] == 200
        except OSError:
            return False

    wait_until("gunicorn answers", serving, processes.all_logs, STARTUP_WAIT)
    return base_url


class _KeepRedirects(HTTPRedirectHandler):
    """Hand a redirect back as the answer instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Visitor:
    """Someone with a browser that keeps cookies, talking HTTP to gunicorn.

    The cookie jar is shared by every request, also by requests sent at once from several
    threads: that is one person with two tabs, or a double click.
    """

    def __init__(self, base_url: str, timeout: float = 15) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.csrf_token = ""
        jar = CookieJar()
        self._opener = build_opener(HTTPCookieProcessor(jar))
        self._direct = build_opener(HTTPCookieProcessor(jar), _KeepRedirects)

    def _open(self, path: str, data: dict | None = None, follow: bool = True):
        url = path if path.startswith("http") else self.base_url + path
        body = urlencode(data, doseq=True).encode() if data is not None else None
        opener = self._opener if follow else self._direct
        try:
            with opener.open(url, data=body, timeout=self.timeout) as response:
                return response.status, urlsplit(response.url).path, response.read().decode()
        except HTTPError as error:
            try:
                return error.code, urlsplit(error.url).path, error.read().decode()
            finally:
                error.close()

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(path)

    def post(self, path: str, fields: dict, follow: bool = True) -> tuple[int, str, str]:
        """Post a form with the CSRF token this visitor's session was given."""
        return self._open(path, {"csrf_token": self.csrf_token, **fields}, follow)

    def submit(self, path: str, fields: dict) -> tuple[int, str, str]:
        """Open the form's page, then post it with the page's CSRF token, as a browser would."""
        status, _, page = self.get(path)
        assert status == 200, page
        token = CSRF_FIELD.search(page)
        assert token, "the form carries no CSRF token"
        self.csrf_token = token.group(1)
        return self._open(path, {"csrf_token": self.csrf_token, **fields})

    def login(self, email: str, password: str = PASSWORD) -> Visitor:
        """Sign in through the login form; later posts carry the signed-in session's token."""
        status, where, page = self.submit("/login", {"email": email, "password": password})
        assert (status, where) == (200, "/dashboard"), page
        token = CSRF_FIELD.search(page)
        assert token, "the page after signing in carries no CSRF token"
        self.csrf_token = token.group(1)
        return self

    def register(self, first_name: str, email: str) -> None:
        status, where, page = self.submit(
            "/register",
            {
                "first_name": first_name,
                "last_name": "Testowa",
                "email": email,
                "password": PASSWORD,
                "password2": PASSWORD,
                "accept_terms": "y",
            },
        )
        assert (status, where) == (200, "/register/check-email"), page
