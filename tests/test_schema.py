"""The schema the migrations build is the one the models declare, and it keeps the invariants.

The suite runs on the migrated schema (tests/conftest.py), so a constraint that only the models
know about would go unnoticed by every other test: these compare the two, constraint by
constraint and index by index, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import DefaultClause
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Shift
from tests.conftest import is_postgres

# Tables of other libraries: APScheduler keeps its jobs beside ours.
NOT_OURS = {"alembic_version", "scheduler_job"}
MIRROR_SCHEMA = "models_mirror"
CHECK_NAME = "ck_shift_not_overfilled"
REPAIR_REVISION = "c4e1b7d2a9f3"  # the migration that adds the CHECK and repairs rows first


def ours(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) not in NOT_OURS


def differences(conn) -> list:
    context = MigrationContext.configure(
        conn,
        opts={"compare_type": True, "compare_server_default": True, "include_object": ours},
    )
    return compare_metadata(context, db.metadata)


def _squash(sql: str) -> str:
    return re.sub(r"\s+", " ", str(sql)).strip()


def _where(index: dict) -> str | None:
    options = index.get("dialect_options", {})
    clause = options.get("postgresql_where", options.get("sqlite_where"))
    return None if clause is None else _squash(clause)


def shape(conn, schema: str | None = None) -> dict[str, dict]:
    """What Alembic's comparison leaves out or may miss, as the database itself reports it: CHECK
    constraints with their SQL, indexes with their predicates, unique, primary and foreign keys by
    name."""
    inspector = inspect(conn)
    found = {}
    for table in sorted(set(inspector.get_table_names(schema=schema)) - NOT_OURS):
        found[table] = {
            "checks": sorted(
                (c["name"], _squash(c["sqltext"]))
                for c in inspector.get_check_constraints(table, schema=schema)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]), _where(i))
                for i in inspector.get_indexes(table, schema=schema)
            ),
            "uniques": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table, schema=schema)
            ),
            "primary_key": inspector.get_pk_constraint(table, schema=schema)["name"],
            "foreign_keys": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table, schema=schema)
            ),
        }
    return found


def models_shape(tmp_path) -> dict[str, dict]:
    """The same report for a database that `create_all()` built from the models alone."""
    if is_postgres():
        with db.engine.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {MIRROR_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {MIRROR_SCHEMA}"))
            mirror = conn.execution_options(schema_translate_map={None: MIRROR_SCHEMA})
            db.metadata.create_all(mirror)
            conn.commit()
            try:
                return shape(conn, schema=MIRROR_SCHEMA)
            finally:
                conn.execute(text(f"DROP SCHEMA {MIRROR_SCHEMA} CASCADE"))
                conn.commit()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    try:
        db.metadata.create_all(engine)
        with engine.connect() as conn:
            return shape(conn)
    finally:
        engine.dispose()


def migration_scripts(app) -> ScriptDirectory:
    with app.app_context():
        return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_the_suite_runs_on_the_schema_the_migrations_build(app):
    with app.app_context(), db.engine.connect() as conn:
        stamped = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert stamped == [migration_scripts(app).get_current_head()]


def test_migrated_schema_equals_the_models_columns_defaults_and_keys(app):
    with app.app_context(), db.engine.connect() as conn:
        assert differences(conn) == []


def test_migrated_schema_has_the_models_checks_indexes_and_constraints(app, tmp_path):
    with app.app_context():
        with db.engine.connect() as conn:
            migrated = shape(conn)
        declared = models_shape(tmp_path)
    assert set(migrated) == set(declared)
    for table in declared:
        assert migrated[table] == declared[table], table
    assert (CHECK_NAME, "accepted_count >= 0 AND accepted_count <= places") in [
        (name, sql.replace("(", "").replace(")", "")) for name, sql in migrated["shift"]["checks"]
    ]


def test_the_comparison_notices_a_changed_default_type_or_index(app):
    """The comparison would pass on any schema if it compared nothing: against models with one
    default, one type and one index changed, it reports each of them."""
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    shift = changed.tables["shift"]
    shift.c.accepted_count.server_default = DefaultClause("7")
    changed.tables["need"].c.place.type = String(20)
    Index("ix_shift_places", shift.c.places)
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "compare_server_default": True, "include_object": ours},
        )
        found = compare_metadata(context, changed)
    kinds = sorted(
        (d[0][0], d[0][2], d[0][3]) if isinstance(d, list) else (d[0], d[1].name, None)
        for d in found
    )
    assert kinds == [
        ("add_index", "ix_shift_places", None),
        ("modify_default", "shift", "accepted_count"),
        ("modify_type", "need", "place"),
    ]


def _fill(table: Table, **given) -> dict:
    """A row for a reflected table: the given values, and a plain value for every other required
    column, so that the test does not depend on which columns later migrations add."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if column.primary_key:
            continue
        kind = column.type
        if isinstance(kind, Boolean):
            row[column.name] = False
        elif isinstance(kind, Integer | Numeric):
            row[column.name] = 0
        elif isinstance(kind, DateTime):
            row[column.name] = datetime.now(UTC)
        elif isinstance(kind, Date):
            row[column.name] = date.today()
        elif isinstance(kind, JSON):
            row[column.name] = {}
        else:
            row[column.name] = f"{table.name}-{column.name}"[: getattr(kind, "length", None) or 60]
    return row


def test_the_check_arrives_with_broken_rows_repaired_and_every_booking_kept(app, tmp_path):
    """Databases built before the CHECK may hold overfilled shifts: the migration gives them as
    many places as people, and a negative counter becomes 0, instead of failing."""
    before = migration_scripts(app).get_revision(REPAIR_REVISION).down_revision
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    with app.app_context():
        try:
            downgrade(revision=before)
            with db.engine.connect() as conn:
                old_checks = shape(conn)["shift"]["checks"]
            declared_checks = models_shape(tmp_path)["shift"]["checks"]
            with db.engine.begin() as conn:
                tables = MetaData()
                tables.reflect(conn, only=["institution", "need", "shift"])
                institution, need, shift = (
                    tables.tables[n] for n in ("institution", "need", "shift")
                )
                inst_id = conn.execute(
                    institution.insert().values(**_fill(institution, slug="muzeum", name="Muzeum"))
                ).inserted_primary_key[0]
                need_id = conn.execute(
                    need.insert().values(**_fill(need, institution_id=inst_id))
                ).inserted_primary_key[0]
                rows = {}
                for label, places, taken in (("over", 2, 5), ("negative", 3, -1), ("fine", 4, 2)):
                    rows[label] = conn.execute(
                        shift.insert().values(
                            need_id=need_id,
                            starts_at=start,
                            ends_at=start + timedelta(hours=2),
                            places=places,
                            accepted_count=taken,
                        )
                    ).inserted_primary_key[0]
            upgrade()
            with db.engine.connect() as conn:
                after = {
                    label: tuple(
                        conn.execute(
                            text("SELECT places, accepted_count FROM shift WHERE id = :id"),
                            {"id": shift_id},
                        ).one()
                    )
                    for label, shift_id in rows.items()
                }
        finally:
            upgrade()
    # Before the migration the comparison tells the CHECK is missing; after it, it is there.
    assert CHECK_NAME not in [name for name, _ in old_checks]
    assert old_checks != declared_checks
    assert after == {"over": (5, 5), "negative": (3, 0), "fine": (4, 2)}


def test_migrations_go_down_to_nothing_and_up_to_the_models_again(app):
    with app.app_context():
        try:
            downgrade(revision="base")
            with db.engine.connect() as conn:
                assert set(inspect(conn).get_table_names()) <= NOT_OURS
        finally:
            upgrade()
        with db.engine.connect() as conn:
            assert differences(conn) == []
            assert CHECK_NAME in [c["name"] for c in inspect(conn).get_check_constraints("shift")]


@pytest.mark.parametrize(
    ("places", "accepted_count"), [(2, 3), (1, -1)], ids=["overfilled", "negative"]
)
def test_the_database_refuses_a_shift_beyond_its_places(app, factory, places, accepted_count):
    need = factory.need(factory.institution(), places=places)
    shift_id = need.shifts[0].id
    with app.app_context():
        with pytest.raises(IntegrityError, match=CHECK_NAME):
            db.session.execute(
                Shift.__table__.update()
                .where(Shift.id == shift_id)
                .values(accepted_count=accepted_count)
            )
            db.session.flush()
        db.session.rollback()
        with pytest.raises(IntegrityError, match=CHECK_NAME):
            with db.engine.begin() as conn:
                conn.execute(
                    Shift.__table__.insert().values(
                        need_id=need.id,
                        starts_at=datetime(2030, 5, 1, 10, tzinfo=UTC),
                        ends_at=datetime(2030, 5, 1, 12, tzinfo=UTC),
                        places=places,
                        accepted_count=accepted_count,
                    )
                )
        assert db.session.get(Shift, shift_id).accepted_count == 0


@pytest.mark.postgres
def test_postgresql_keeps_the_check_in_its_catalogue(app):
    with app.app_context(), db.engine.connect() as conn:
        (definition,) = conn.execute(
            text(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid"
                " WHERE c.contype = 'c' AND c.conname = :name AND t.relname = 'shift'"
                " AND t.relnamespace = 'public'::regnamespace"
            ),
            {"name": CHECK_NAME},
        ).one()
    assert definition == "CHECK (((accepted_count >= 0) AND (accepted_count <= places)))"
