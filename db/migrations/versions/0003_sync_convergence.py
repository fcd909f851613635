"""sync convergence: why a journey was cancelled by the sync, its opportunity, the per-company
sync window, and the "Needs attention" list

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00

`journeys.external_opportunity_id` is filled from `external_data.opportunity_id` for the
journeys synced before it existed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('journeys') as batch:
        batch.add_column(sa.Column('external_opportunity_id', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('sync_reason', sa.String(length=200), nullable=True))
    op.create_index('ix_journeys_company_opportunity', 'journeys', ['company_id', 'external_opportunity_id'],
                    unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE journeys SET external_opportunity_id = external_data ->> 'opportunity_id' "
                   "WHERE external_data IS NOT NULL AND external_data ? 'opportunity_id'")
    else:
        op.execute("UPDATE journeys SET external_opportunity_id = json_extract(external_data, '$.opportunity_id') "
                   "WHERE external_data IS NOT NULL")
    with op.batch_alter_table('company_integrations') as batch:
        batch.add_column(sa.Column('sync_window_days', sa.Integer(), server_default='14', nullable=False))
    op.create_table('journey_attention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', JSON, nullable=False),
    sa.Column('released', JSON, nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_journey_attention_company_id_companies'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_journey_attention_journey_id_journeys'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'],
                            name=op.f('fk_journey_attention_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_journey_attention_resolved_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_attention'))
    )
    op.create_index('ix_journey_attention_company_open', 'journey_attention', ['company_id', 'resolved_at'],
                    unique=False)
    op.create_index('ix_journey_attention_journey', 'journey_attention', ['journey_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_journey_attention_journey', table_name='journey_attention')
    op.drop_index('ix_journey_attention_company_open', table_name='journey_attention')
    op.drop_table('journey_attention')
    with op.batch_alter_table('company_integrations') as batch:
        batch.drop_column('sync_window_days')
    op.drop_index('ix_journeys_company_opportunity', table_name='journeys')
    with op.batch_alter_table('journeys') as batch:
        batch.drop_column('sync_reason')
        batch.drop_column('external_opportunity_id')
