"""Skills can be retired; audit entries written with the sign-in proxy name the user

Revision ID: e7a1c9d3b5f2
Revises: d5a8c3f1e7b2
Create Date: 2026-12-02 18:00:00.000000

A retired skill stays on the volunteers and needs that hold it, so old records keep their meaning,
but no form or search offers it any more.

Entries written from views before audit.record unwrapped Flask-Login's `current_user` were stored
with the proxy's class name, "LocalProxy", as their object type. `current_user` is always a User,
so those entries are renamed to what they always meant.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c9d3b5f2'
down_revision = 'd5a8c3f1e7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE audit_log SET object_type = 'User' WHERE object_type = 'LocalProxy'")


def downgrade():
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
