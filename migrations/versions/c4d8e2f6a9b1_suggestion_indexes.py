"""Indexes for the suggestion pages: a volunteer's assignments, the open needs, a need's shifts

Revision ID: c4d8e2f6a9b1
Revises: f2c7a9e4b1d6
Create Date: 2026-12-04 02:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d8e2f6a9b1"
down_revision = "f2c7a9e4b1d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_volunteer_history",
            ["volunteer_id", "status", "need_id", "shift_id"],
            unique=False,
        )
        batch_op.drop_index("ix_assignment_volunteer_status")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index("ix_need_status_id", ["status", "id"], unique=False)
        batch_op.drop_index("ix_need_status")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index("ix_shift_need_starts", ["need_id", "starts_at"], unique=False)
        batch_op.drop_index("ix_shift_need_id")


def downgrade():
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index("ix_shift_need_id", ["need_id"], unique=False)
        batch_op.drop_index("ix_shift_need_starts")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index("ix_need_status", ["status"], unique=False)
        batch_op.drop_index("ix_need_status_id")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_volunteer_status", ["volunteer_id", "status"], unique=False
        )
        batch_op.drop_index("ix_assignment_volunteer_history")
