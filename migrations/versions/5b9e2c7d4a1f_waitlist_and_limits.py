"""Waiting lists for full shifts; limits that protect volunteers, per need

Revision ID: 5b9e2c7d4a1f
Revises: b6f1d2c3a4e5
Create Date: 2026-12-03 10:00:00.000000

A person may wait for a place on a full shift; the first one waiting is offered the place that
frees up. A need may override the coalition's minimum rest between shifts, its longest run of
days in a row and how many days before a shift sign-up opens (NULL: the coalition's value).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b9e2c7d4a1f'
down_revision = "b6f1d2c3a4e5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('waitlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_waitlist_entry_shift_id_shift'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], name=op.f('fk_waitlist_entry_volunteer_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entry')),
    sa.UniqueConstraint('shift_id', 'volunteer_id', name='uq_waitlist_shift_volunteer')
    )
    op.create_index('ix_waitlist_shift_order', 'waitlist_entry', ['shift_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_waitlist_volunteer', 'waitlist_entry', ['volunteer_id'], unique=False)
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_rest_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_days_in_row', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signup_opens_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_column('signup_opens_days')
        batch_op.drop_column('max_days_in_row')
        batch_op.drop_column('min_rest_hours')
    op.drop_index('ix_waitlist_volunteer', table_name='waitlist_entry')
    op.drop_index('ix_waitlist_shift_order', table_name='waitlist_entry')
    op.drop_table('waitlist_entry')
