"""Outbox messages are claimed before they are sent: claimed_at, repeats, status "sending"

Revision ID: a7c3e5d91b42
Revises: c4e1b7d2a9f3
Create Date: 2026-12-02 09:00:00.000000

The status column is a VARCHAR(10) without a CHECK constraint (native_enum=False), so the new
value "sending" needs no change to it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5d91b42'
down_revision = 'c4e1b7d2a9f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('repeats', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    # A message in flight goes back to the queue: the code before this revision knows no "sending".
    op.execute("UPDATE outbox_message SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('repeats')
        batch_op.drop_column('claimed_at')
