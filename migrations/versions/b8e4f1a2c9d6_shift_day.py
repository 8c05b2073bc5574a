"""The day of a shift: attendance marks, messages to a shift or a need, feedback; Reply-To on e-mail

Revision ID: b8e4f1a2c9d6
Revises: 5b9e2c7d4a1f
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4f1a2c9d6'
down_revision = "5b9e2c7d4a1f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendance_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('shift_id', sa.Integer(), nullable=False),
        sa.Column('is_present', sa.Boolean(), nullable=False),
        sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('is_self_check_in', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('assignment_id'),
    )
    with op.batch_alter_table('attendance_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_mark_shift_id'), ['shift_id'], unique=False)

    op.create_table(
        'shift_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('shift_id', sa.Integer(), nullable=True),
        sa.Column('sender_id', sa.Integer(), nullable=True),
        sa.Column('audiences', sa.JSON(), nullable=False),
        sa.Column('subject', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('recipient_count', sa.Integer(), nullable=False),
        sa.Column('form_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['need.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('form_token'),
    )
    with op.batch_alter_table('shift_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_message_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_message_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(
            'ix_shift_message_sender_created', ['sender_id', 'created_at'], unique=False
        )

    op.create_table(
        'shift_message_recipient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['shift_message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('message_id', 'user_id'),
    )
    with op.batch_alter_table('shift_message_recipient', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_shift_message_recipient_user_id'), ['user_id'], unique=False
        )

    op.create_table(
        'shift_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shift_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('volunteer_id', sa.Integer(), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('rating BETWEEN 1 AND 5', name='rating_range'),
        sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('shift_id', 'volunteer_id'),
    )
    with op.batch_alter_table('shift_feedback', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_shift_feedback_institution_id'), ['institution_id'], unique=False
        )

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reply_to', sa.String(length=254), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
    op.drop_table('shift_feedback')
    op.drop_table('shift_message_recipient')
    op.drop_table('shift_message')
    op.drop_table('attendance_mark')
