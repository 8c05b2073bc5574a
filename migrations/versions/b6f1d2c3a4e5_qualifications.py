"""Qualifications: the coalition's catalogue, who holds which, and needs that require or grant one

Revision ID: b6f1d2c3a4e5
Revises: b6e2f4a8c1d3
Create Date: 2026-12-03 10:00:00.000000

The consent to show one's qualifications to other institutions is one more kind of the
consent table's non-native enum, which carries no CHECK: no change to that table.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6f1d2c3a4e5'
down_revision = "b6e2f4a8c1d3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qualification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_pl', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False, server_default=''),
    sa.Column('validity_months', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('validity_months IS NULL OR validity_months BETWEEN 1 AND 600', name=op.f('ck_qualification_validity_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification')),
    sa.UniqueConstraint('name_pl', name=op.f('uq_qualification_name_pl'))
    )
    op.create_table('qualification_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('qualification_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('obtained_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False, server_default=''),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_on IS NULL OR expires_on >= obtained_on', name=op.f('ck_qualification_record_expires_after_obtained')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_qualification_record_institution_id_institution'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_qualification_record_need_id_need'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['qualification_id'], ['qualification.id'], name=op.f('fk_qualification_record_qualification_id_qualification')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_qualification_record_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_qualification_record_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification_record'))
    )
    with op.batch_alter_table('qualification_record', schema=None) as batch_op:
        batch_op.create_index('ix_qualification_record_user_qualification', ['user_id', 'qualification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualification_record_qualification_id'), ['qualification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualification_record_expires_on'), ['expires_on'], unique=False)

    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_qualification_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('grants_qualification_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_need_required_qualification_id'), ['required_qualification_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_need_required_qualification_id_qualification'), 'qualification', ['required_qualification_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_need_grants_qualification_id_qualification'), 'qualification', ['grants_qualification_id'], ['id'])


def downgrade():
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_need_grants_qualification_id_qualification'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_need_required_qualification_id_qualification'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_need_required_qualification_id'))
        batch_op.drop_column('grants_qualification_id')
        batch_op.drop_column('required_qualification_id')

    with op.batch_alter_table('qualification_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualification_record_expires_on'))
        batch_op.drop_index(batch_op.f('ix_qualification_record_qualification_id'))
        batch_op.drop_index('ix_qualification_record_user_qualification')

    op.drop_table('qualification_record')
    op.drop_table('qualification')
