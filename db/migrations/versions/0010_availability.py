"""availability: people off and trucks out of service (date ranges, optionally some weekdays,
with a reason), and people's skills and licences

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('truck_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(truck_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_unavailabilities_one_resource')),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_unavailabilities_date_order')),
    sa.CheckConstraint('weekdays IS NULL OR (weekdays >= 1 AND weekdays <= 127)',
                       name=op.f('ck_unavailabilities_weekday_bits')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_unavailabilities_company_id_companies'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_unavailabilities_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['truck_id'], ['trucks.id'], name=op.f('fk_unavailabilities_truck_id_trucks'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unavailabilities_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailabilities'))
    )
    op.create_index(op.f('ix_unavailabilities_company_id'), 'unavailabilities', ['company_id'], unique=False)
    op.create_index('ix_unavailabilities_user_dates', 'unavailabilities', ['user_id', 'starts_on', 'ends_on'],
                    unique=False)
    op.create_index('ix_unavailabilities_truck_dates', 'unavailabilities', ['truck_id', 'starts_on', 'ends_on'],
                    unique=False)
    op.create_table('user_skills',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_skills_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'skill', name=op.f('pk_user_skills'))
    )


def downgrade() -> None:
    op.drop_table('user_skills')
    op.drop_index('ix_unavailabilities_truck_dates', table_name='unavailabilities')
    op.drop_index('ix_unavailabilities_user_dates', table_name='unavailabilities')
    op.drop_index(op.f('ix_unavailabilities_company_id'), table_name='unavailabilities')
    op.drop_table('unavailabilities')
