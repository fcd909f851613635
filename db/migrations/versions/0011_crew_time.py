"""crew time: clock events on journeys (with the phone's idempotency key, unique per person),
approved timesheet days, and each company's time rules (distance, overtime, rounding)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 04:00:14.644278
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('company_time_rules',
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('max_distance_m', sa.Integer(), nullable=False),
    sa.Column('daily_overtime_after_minutes', sa.Integer(), nullable=True),
    sa.Column('weekly_overtime_after_minutes', sa.Integer(), nullable=True),
    sa.Column('rounding_minutes', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('max_distance_m > 0', name=op.f('ck_company_time_rules_distance_positive')),
    sa.CheckConstraint('rounding_minutes BETWEEN 1 AND 60', name=op.f('ck_company_time_rules_rounding_range')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_time_rules_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_company_time_rules_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('company_id', name=op.f('pk_company_time_rules'))
    )
    op.create_table('timesheet_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_timesheet_approvals_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_timesheet_approvals_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_timesheet_approvals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timesheet_approvals')),
    sa.UniqueConstraint('user_id', 'work_date', name=op.f('uq_timesheet_approvals_user_id_work_date'))
    )
    op.create_index(op.f('ix_timesheet_approvals_company_id'), 'timesheet_approvals', ['company_id'], unique=False)
    op.create_table('clock_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('START_OF_DAY', 'ARRIVED_PICKUP', 'DEPARTED_PICKUP', 'ARRIVED_DELIVERY', 'BREAK_START', 'BREAK_END', 'END_OF_DAY', name='clock_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('(lat IS NULL) = (lng IS NULL)', name=op.f('ck_clock_events_position_pair')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_clock_events_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_clock_events_corrected_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_clock_events_journey_id_journeys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_clock_events_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_clock_events_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_clock_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_events')),
    sa.UniqueConstraint('user_id', 'client_key', name=op.f('uq_clock_events_user_id_client_key'))
    )
    op.create_index('ix_clock_events_company_date', 'clock_events', ['company_id', 'work_date'], unique=False)
    op.create_index('ix_clock_events_journey', 'clock_events', ['journey_id'], unique=False)
    op.create_index('ix_clock_events_recorder_key', 'clock_events', ['recorded_by_id', 'client_key'], unique=False)
    op.create_index('ix_clock_events_user_date', 'clock_events', ['user_id', 'work_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_clock_events_user_date', table_name='clock_events')
    op.drop_index('ix_clock_events_recorder_key', table_name='clock_events')
    op.drop_index('ix_clock_events_journey', table_name='clock_events')
    op.drop_index('ix_clock_events_company_date', table_name='clock_events')
    op.drop_table('clock_events')
    op.drop_index(op.f('ix_timesheet_approvals_company_id'), table_name='timesheet_approvals')
    op.drop_table('timesheet_approvals')
    op.drop_table('company_time_rules')
