"""Run a foreground command and keep background commands alive beside it (`make run`).

    python scripts/supervise.py --keep "flask --app app scheduler" [--keep "..."] -- flask run

A background command that ends is started again after a pause that doubles while it keeps dying
at once (up to a minute). When the foreground command ends, or on Ctrl-C or SIGTERM, every
command is stopped (SIGTERM, then SIGKILL after a grace period) and this process exits.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from dataclasses import field

GRACE_SECONDS = 10.0
STEADY_SECONDS = 60.0  # a command that ran this long is healthy again: its pause starts over
MAX_PAUSE_SECONDS = 60.0


def say(text: str) -> None:
    print(f"[supervise] {text}", file=sys.stderr, flush=True)


@dataclass
class Kept:
    command: list[str]
    pause: float
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    next_pause: float = field(init=False)

    def __post_init__(self) -> None:
        self.next_pause = self.pause

    @property
    def name(self) -> str:
        return shlex.join(self.command)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)  # noqa: S603 - the developer's own command
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self) -> None:
        """Start again a command that ended, once its pause is over."""
        now = time.monotonic()
        if self.restart_at is not None:
            if now >= self.restart_at:
                say(f"starting again: {self.name}")
                self.start()
            return
        code = self.process.poll() if self.process else None
        if code is None:
            return
        if now - self.started_at >= STEADY_SECONDS:
            self.next_pause = self.pause
        say(f"{self.name} ended (exit code {code}); starting it again in {self.next_pause:g} s")
        self.restart_at = now + self.next_pause
        self.next_pause = min(self.next_pause * 2, MAX_PAUSE_SECONDS)


class Stop(Exception):
    """Ctrl-C or SIGTERM reached this process."""


def _raise_stop(signum, frame) -> None:
    raise Stop


def stop_all(processes: list[subprocess.Popen]) -> None:
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            say(f"killing {shlex.join(process.args)}")
            process.kill()
            process.wait()


def supervise(foreground: list[str], keep: list[list[str]], pause: float) -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    kept = [Kept(command, pause) for command in keep]
    main: subprocess.Popen | None = None
    code = 0
    try:
        for item in kept:
            item.start()
        main = subprocess.Popen(foreground)  # noqa: S603 - the developer's own command
        while (code := main.poll()) is None:
            for item in kept:
                item.check()
            time.sleep(0.2)
        say(f"{shlex.join(foreground)} ended (exit code {code}): stopping the rest")
    except Stop:
        say("stopping")
    finally:
        # A second Ctrl-C must not leave children behind half-way through stopping them.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all([p for p in [main, *(k.process for k in kept)] if p is not None])
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COMMAND",
        help="a background command to keep running (repeatable)",
    )
    parser.add_argument("--pause", type=float, default=2.0, help="seconds before the first restart")
    parser.add_argument("foreground", nargs=argparse.REMAINDER, help="-- the foreground command")
    args = parser.parse_args(argv)
    foreground = args.foreground[1:] if args.foreground[:1] == ["--"] else args.foreground
    if not foreground:
        parser.error("give the foreground command after --")
    return supervise(foreground, [shlex.split(k) for k in args.keep], args.pause)


if __name__ == "__main__":
    sys.exit(main())
