"""Run review page counts the decided proposals from a partial index

Revision ID: f2c7a9e4b1d6
Revises: a3c7e91b5d20
Create Date: 2026-12-03 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c7a9e4b1d6'
down_revision = "a3c7e91b5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assignment_run_decided',
            ['match_run_id'],
            unique=False,
            postgresql_where=sa.text("status <> 'proposed'"),
            sqlite_where=sa.text("status <> 'proposed'"),
        )


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_run_decided')
