"""An empty database built the way production builds one: by the migrations, not from the models.

Used by the test suite and the benchmarks, which start from nothing on databases of their own; a
schema made by `create_all()` would hide a constraint that the models declare and no migration
creates. Call inside an app context; never point it at data you keep.
"""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import MetaData

from app.extensions import db


def drop_every_table() -> None:
    """Drop the models' tables and every other one (alembic_version, the scheduler's job store),
    so that the migrations start from an empty database."""
    db.session.remove()
    found = MetaData()
    found.reflect(bind=db.engine)
    found.drop_all(bind=db.engine)


def build_from_migrations() -> None:
    drop_every_table()
    upgrade()
    db.session.remove()
