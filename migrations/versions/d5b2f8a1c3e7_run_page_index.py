"""Run review page read from one index

Revision ID: d5b2f8a1c3e7
Revises: 8129ae3c4de0
Create Date: 2026-12-02 14:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd5b2f8a1c3e7'
down_revision = '8129ae3c4de0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_assignment_run_page',
            ['match_run_id', 'need_id', 'shift_id', 'score', 'id', 'status'],
            unique=False,
        )
        batch_op.drop_index('ix_assignment_match_run_id')


def downgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_match_run_id', ['match_run_id'], unique=False)
        batch_op.drop_index('ix_assignment_run_page')
