"""The coalition's news board and the weekly digest people ask for

Revision ID: b6e2f4a8c1d3
Revises: e7a1c9d3b5f2
Create Date: 2026-12-03 10:00:00.000000

Staff of members post short updates (an event, a call for help, a training open to others) that
the staff of every member read; the ones marked public are also on a public page and in an Atom
feed. The digest is sent only to those who subscribed.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'b6e2f4a8c1d3'
down_revision = 'e7a1c9d3b5f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'news_post',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('update', 'event', 'call_for_help', 'training', name='newskind', native_enum=False, length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=True),
        sa.Column('event_url', sa.String(length=500), nullable=False),
        sa.Column('is_public', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('is_pinned', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('is_hidden', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_news_post_author_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_news_post_institution_id_institution'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_news_post_need_id_need'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_news_post')),
    )
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_post_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_post_institution_id'), ['institution_id'], unique=False)

    op.create_table(
        'news_digest_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_news_digest_subscription_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_news_digest_subscription')),
    )
    with op.batch_alter_table('news_digest_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_digest_subscription_user_id'), ['user_id'], unique=True)


def downgrade():
    with op.batch_alter_table('news_digest_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_digest_subscription_user_id'))
    op.drop_table('news_digest_subscription')
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_post_institution_id'))
        batch_op.drop_index(batch_op.f('ix_news_post_created_at'))
    op.drop_table('news_post')
