"""Matching runs queued for workers: claim, heartbeat, stages, failure reason

Revision ID: d5a8c3f1e7b2
Revises: d5b2f8a1c3e7
Create Date: 2026-12-02 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a8c3f1e7b2'
down_revision = "d5b2f8a1c3e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('claimed_by', sa.String(length=255), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stages', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('failure', sa.String(length=40), nullable=False, server_default=sa.text("''"))
        )
        batch_op.create_index(batch_op.f('ix_match_run_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('match_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_status'))
        batch_op.drop_column('failure')
        batch_op.drop_column('stages')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('claimed_by')
