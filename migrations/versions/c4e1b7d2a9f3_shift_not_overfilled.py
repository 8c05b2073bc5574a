"""The database refuses a shift with more places taken than it has

Revision ID: c4e1b7d2a9f3
Revises: 6dacc6f67626
Create Date: 2026-12-02 08:00:00.000000

The model declared CHECK (accepted_count >= 0 AND accepted_count <= places) from the start, but no
migration created it, so databases built by `flask db upgrade` never had it.

Rows that already break the rule are repaired first, keeping every booked person: a negative
counter becomes 0 and an overfilled shift gets as many places as it has people on it (it is
full, and nobody new can take a place).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1b7d2a9f3'
down_revision = '6dacc6f67626'
branch_labels = None
depends_on = None

CHECK_NAME = 'ck_shift_not_overfilled'
CHECK_SQL = 'accepted_count >= 0 AND accepted_count <= places'


def _refuse_sqlite_with_foreign_keys_on():
    """Batch mode rebuilds `shift` on SQLite (drop and rename); with foreign keys enforced, dropping
    it would delete every assignment through ON DELETE CASCADE."""
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError(
            'Run this migration with PRAGMA foreign_keys=OFF: rebuilding the shift table with '
            'foreign keys enforced would delete its assignments.'
        )


def upgrade():
    _refuse_sqlite_with_foreign_keys_on()
    op.execute('UPDATE shift SET accepted_count = 0 WHERE accepted_count < 0')
    op.execute('UPDATE shift SET places = accepted_count WHERE accepted_count > places')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(CHECK_NAME), sa.text(CHECK_SQL))


def downgrade():
    _refuse_sqlite_with_foreign_keys_on()
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK_NAME), type_='check')
