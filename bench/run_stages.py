"""Seconds and peak memory of each stage of one coalition-wide matching run, in this process.

    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.run_stages [--keep]

Runs the stages of `execute_run` one after another on the database the app is configured for
(loading places, loading volunteers, solving, cancelling superseded proposals, storing new ones)
and prints one JSON line with each stage's seconds, the row counts, and the peak RSS after each
stage. The run's changes are rolled back unless --keep is given, so it can be repeated on the
same data.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import timedelta

import matching


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="commit the run's proposals")
    parser.add_argument(
        "--days", type=int, default=None, help="only shifts in the next DAYS days (Warsaw dates)"
    )
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Institution
    from app.models import MatchRun
    from app.models.base import utcnow
    from app.services import matching_inputs
    from app.services.matching_run import WARSAW
    from app.services.matching_run import Scope
    from app.services.matching_run import _cancel_superseded
    from app.services.matching_run import _store_proposals

    app = create_app()
    figures: dict = {"rss_mb": {"start": _peak_mb()}, "seconds": {}, "cpu_seconds": {}}
    cpu = [time.process_time()]

    def stage(name: str, started: float) -> float:
        """Record the stage that began at `started`: wall seconds, this process's CPU seconds
        (less disturbed by other work on the machine) and the peak RSS so far."""
        now = time.perf_counter()
        figures["seconds"][name] = round(now - started, 2)
        figures["cpu_seconds"][name] = round(time.process_time() - cpu[0], 2)
        cpu[0] = time.process_time()
        figures["rss_mb"][name] = _peak_mb()
        print(name, figures["seconds"][name], figures["rss_mb"][name], file=sys.stderr, flush=True)
        return now

    with app.app_context():
        now = utcnow()
        today = now.astimezone(WARSAW).date()
        scope = Scope(date_to=today + timedelta(days=args.days)) if args.days else Scope()
        config = matching.MatchingConfig()
        run = MatchRun(params=scope.as_params(), status="running")
        db.session.add(run)
        db.session.flush()

        t = time.perf_counter()
        places = matching_inputs.load_places(scope, now)
        t = stage("load_places", t)
        until = matching_inputs.last_day_needed(places, today)
        volunteers = matching_inputs.load_volunteers(now, config, until=until)
        coalition = frozenset(
            db.session.scalars(select(Institution.id).where(Institution.is_active.is_(True)))
        )
        t = stage("load_volunteers", t)
        figures["places"], figures["volunteers"] = len(places), len(volunteers)
        result = matching.match(matching.Problem(volunteers, places, config, coalition))
        del volunteers, places
        t = stage("solve", t)
        figures["superseded"] = _cancel_superseded(run, scope, now)
        t = stage("cancel_superseded", t)
        figures["proposals"], figures["needs_with_proposal"] = _store_proposals(
            run, result.proposals
        )
        t = stage("store_proposals", t)
        if args.keep:
            db.session.commit()
        else:
            db.session.rollback()
        stage("commit" if args.keep else "rollback", t)
        figures["seconds"]["total"] = round(sum(figures["seconds"].values()), 2)
        figures["cpu_seconds"]["total"] = round(sum(figures["cpu_seconds"].values()), 2)
        figures["pairs"] = result.stats.pairs
        figures["scope"] = scope.as_params()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
