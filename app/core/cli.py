"""Flask commands: demo data, the scheduler process and the matching worker."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app


def init_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the coalition, the skills and the demo accounts (development only)."""
        from app.seed.demo import load_demo_data

        if not current_app.config.get("ALLOW_DEMO_DATA"):
            raise click.ClickException("Demo data is refused in this configuration (APP_ENV).")
        summary = load_demo_data()
        click.echo(f"Demo data ready: {summary}")

    @app.cli.command("seed-reference")
    def seed_reference() -> None:
        """Load the coalition's institutions and the skill taxonomy (safe in production)."""
        from app.seed.demo import load_reference_data

        click.echo(f"Reference data ready: {load_reference_data()}")

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the job scheduler in this process (run exactly one)."""
        from app.scheduling.scheduler import run_scheduler

        run_scheduler(app)

    @app.cli.command("matching-worker")
    def matching_worker() -> None:
        """Execute queued matching runs in this process (run one or several)."""
        from app.proposals.worker import run_worker

        run_worker(app)
