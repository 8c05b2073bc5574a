"""Volunteers choose whether staff may invite them and whether they get weekly suggestions

Revision ID: a3c7e91b5d20
Revises: b8e4f1a2c9d6
Create Date: 2026-12-03 10:00:00.000000

Staff invite people the matcher's ranking suggests for a shift: everybody may be invited until
they say no in their profile. The weekly e-mail of new suggestions is sent only to those who ask.
Assignments made by an invitation carry the source "invitation" (the column is a plain string).
The holders of a skill at a level are read from an index alone: suggestions for a shift start
from the holders of its required skills.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c7e91b5d20'
down_revision = "b8e4f1a2c9d6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_invitable', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                'has_weekly_suggestions', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table('volunteer_skill', schema=None) as batch_op:
        batch_op.create_index(
            'ix_volunteer_skill_holders', ['skill_id', 'level', 'user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('volunteer_skill', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteer_skill_holders')
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.drop_column('has_weekly_suggestions')
        batch_op.drop_column('is_invitable')
