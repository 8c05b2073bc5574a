"""The matching worker process (`flask matching-worker`): web processes never execute a run.

Each round gives up runs whose worker died (stale heartbeat), takes the next runnable run from the
queue (app/services/matching_queue.py) and executes it, or rests MATCHING_POLL_SECONDS when
there is nothing to do. Any number of workers may run, on any number of machines.

Nothing the database does ends the process: an error is logged, the worker rests
MATCHING_RETRY_SECONDS and goes on. SIGTERM (systemd, honcho, the `make run` supervisor) stops it:
a run it was executing goes back to the queue for the next worker, as nothing of it was saved.
"""

from __future__ import annotations

import _thread
import logging
import signal
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

log = logging.getLogger(__name__)


class Stop(BaseException):
    """SIGTERM reached the worker; not an Exception, so that no handler of a run swallows it."""


def _raise_stop(signum, frame) -> None:
    raise Stop


class _Current:
    """The run the worker is executing, and whether its heartbeat found it taken away."""

    def __init__(self) -> None:
        self.run_id: int | None = None
        self.lost = False

    def abandon(self) -> None:
        """Called from the heartbeat thread: interrupt the main thread's work on the run."""
        self.lost = True
        _thread.interrupt_main()


def _give_back(app: Flask, current: _Current, worker: str) -> None:
    from app.services import matching_queue as queue

    if current.run_id is None or current.lost:
        return
    try:
        with app.app_context():
            db.session.rollback()
            if queue.requeue(current.run_id, worker):
                log.info("Matching run %s goes back to the queue", current.run_id)
    except Exception:  # noqa: BLE001 - stale-heartbeat detection takes over then
        log.exception("Could not give matching run %s back", current.run_id)


def run_worker(app: Flask, rounds: int | None = None) -> None:
    """The worker's loop; `rounds` bounds it (None: until SIGTERM or Ctrl-C)."""
    from app.services import matching_queue as queue
    from app.services.matching_run import run_safely

    poll = float(app.config["MATCHING_POLL_SECONDS"])
    retry = float(app.config["MATCHING_RETRY_SECONDS"])
    worker = queue.worker_id()
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    log.info("Matching worker %s started", worker)
    current = _Current()
    done = 0
    try:
        while rounds is None or done < rounds:
            done += 1
            current.run_id, current.lost = None, False
            try:
                pause = poll
                with app.app_context():
                    queue.fail_stale_runs()
                    run = queue.claim_next(worker)
                    if run is not None:
                        pause = 0.0
                        current.run_id = run.id
                        run = run_safely(run.id, worker, on_lost=current.abandon)
                        status = run.status if run else "gone"
                        log.info("Matching run %s ended: %s", current.run_id, status)
                        current.run_id = None
                if pause and (rounds is None or done < rounds):
                    time.sleep(pause)
            except KeyboardInterrupt:
                if not current.lost:
                    raise
                log.warning("Matching run %s abandoned", current.run_id)
            except SQLAlchemyError as exc:
                log.warning(
                    "The database does not answer (%s); trying again in %s s",
                    getattr(exc, "orig", None) or exc,
                    retry,
                )
                time.sleep(retry)
            except Exception:  # noqa: BLE001 - nothing may end the worker
                log.exception("The matching worker's round failed; trying again in %s s", retry)
                time.sleep(retry)
    except (Stop, KeyboardInterrupt):
        log.info("Matching worker %s stopping", worker)
        _give_back(app, current, worker)
    finally:
        signal.signal(signal.SIGTERM, previous)
    log.info("Matching worker %s stopped", worker)
