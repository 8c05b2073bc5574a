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
import gc
import logging
import signal
import threading
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

log = logging.getLogger(__name__)

GIVE_BACK_ATTEMPTS = 5
GIVE_BACK_PAUSE_SECONDS = 1.0


class Stop(BaseException):
    """SIGTERM or Ctrl-C in the middle of a run; not an Exception, so that no handler of the
    run swallows it."""


class Abandoned(BaseException):
    """The run was declared failed while this worker still worked on it."""


class _Current:
    """What the worker is doing, shared with the signal handler and the heartbeat thread.

    A stop asked for while the worker claims or rests only ends the loop at its next step (a run
    just claimed is given back); one asked for while a run executes interrupts the run.
    """

    def __init__(self) -> None:
        self.run_id: int | None = None
        self.executing = False
        self.lost = False
        self.stopping = threading.Event()

    def abandon(self) -> None:
        """Called from the heartbeat thread: interrupt the main thread's work on the run."""
        self.lost = True
        _thread.interrupt_main(signal.SIGINT)

    def on_signal(self, signum, frame) -> None:
        if signum == signal.SIGINT and self.lost:
            if self.executing:
                raise Abandoned
            return
        self.stopping.set()
        if self.executing:
            raise Stop


def _give_back(app: Flask, current: _Current, worker: str) -> None:
    """Put the run this worker was executing back in the queue, trying a few times.

    The run was interrupted at an arbitrary point, possibly in the middle of a statement: the
    pool's connections are dropped first, so that none left half-way (on SQLite, one holding the
    write lock) stands in the way. When every try fails, stale-heartbeat detection takes over.
    """
    from app.services import matching_queue as queue

    if current.run_id is None or current.lost:
        return
    for attempt in range(1, GIVE_BACK_ATTEMPTS + 1):
        try:
            with app.app_context():
                db.session.remove()
                gc.collect()  # finalises a connection the interruption left checked out
                db.engine.dispose()
                given = queue.requeue(current.run_id, worker)
        except Exception:  # noqa: BLE001 - tried again, then left to the stale heartbeat
            log.warning(
                "Could not give matching run %s back (try %s of %s)",
                current.run_id,
                attempt,
                GIVE_BACK_ATTEMPTS,
                exc_info=True,
            )
            time.sleep(GIVE_BACK_PAUSE_SECONDS)
            continue
        if given:
            log.info("Matching run %s goes back to the queue", current.run_id)
        else:
            log.info("Matching run %s is no longer held by %s", current.run_id, worker)
        return
    log.error("Matching run %s stays running until its heartbeat is stale", current.run_id)


def _execute(app: Flask, current: _Current, worker: str, run_id: int) -> None:
    from app.services.matching_run import run_safely

    current.run_id, current.lost = run_id, False
    if current.stopping.is_set():
        return  # stopped while claiming: given back below
    current.executing = True
    try:
        run = run_safely(run_id, worker, on_lost=current.abandon)
    except Abandoned:
        log.warning("Matching run %s abandoned", run_id)
        return
    finally:
        current.executing = False
    current.run_id = None
    log.info("Matching run %s ended: %s", run_id, run.status if run else "gone")


def run_worker(app: Flask, rounds: int | None = None) -> None:
    """The worker's loop; `rounds` bounds it (None: until SIGTERM or Ctrl-C)."""
    from app.services import matching_queue as queue

    poll = float(app.config["MATCHING_POLL_SECONDS"])
    retry = float(app.config["MATCHING_RETRY_SECONDS"])
    worker = queue.worker_id()
    current = _Current()
    previous = {
        signum: signal.signal(signum, current.on_signal)
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    log.info("Matching worker %s started", worker)
    done = 0
    try:
        while (rounds is None or done < rounds) and not current.stopping.is_set():
            done += 1
            current.run_id, current.lost = None, False
            pause = poll
            try:
                with app.app_context():
                    queue.fail_stale_runs()
                    run = queue.claim_next(worker)
                    if run is not None:
                        pause = 0.0
                        _execute(app, current, worker, run.id)
            except SQLAlchemyError as exc:
                log.warning(
                    "The database does not answer (%s); trying again in %s s",
                    getattr(exc, "orig", None) or exc,
                    retry,
                )
                pause = retry
            except Exception:  # noqa: BLE001 - nothing may end the worker
                log.exception("The matching worker's round failed; trying again in %s s", retry)
                pause = retry
            if pause and (rounds is None or done < rounds):
                current.stopping.wait(pause)
    except Stop:
        pass
    finally:
        if current.stopping.is_set():
            log.info("Matching worker %s stopping", worker)
            _give_back(app, current, worker)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("Matching worker %s stopped", worker)
