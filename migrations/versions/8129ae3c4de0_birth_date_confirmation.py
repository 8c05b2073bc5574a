"""A date of birth that made a minor an adult waits for a coordinator

Revision ID: 8129ae3c4de0
Revises: c4d81e2f5a90
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8129ae3c4de0'
down_revision = 'c4d81e2f5a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'birth_date_confirmation_pending',
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade():
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.drop_column('birth_date_confirmation_pending')
