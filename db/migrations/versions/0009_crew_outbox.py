"""crew outbox: client_actions (one row per phone idempotency key, with the answer it got) and
step_activities.client_key

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 04:00:00

A phone's outbox sends each crew action with a client-made key; the server stores the key in the
same transaction as the write, so a replay returns the first answer and writes nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'client_actions',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('client_key', sa.String(length=36), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('journey_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('result', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_client_actions_company_id_companies'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['journey_id'], ['journeys.id'], name=op.f('fk_client_actions_journey_id_journeys'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_client_actions_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_actions')),
        sa.UniqueConstraint('client_key', name=op.f('uq_client_actions_client_key')),
    )
    op.create_index('ix_client_actions_journey', 'client_actions', ['journey_id'])
    with op.batch_alter_table('step_activities') as batch:  # batch: SQLite alters a table by copying it
        batch.add_column(sa.Column('client_key', sa.String(length=36), nullable=True))
        batch.create_unique_constraint(op.f('uq_step_activities_client_key'), ['client_key'])


def downgrade() -> None:
    with op.batch_alter_table('step_activities') as batch:
        batch.drop_constraint(op.f('uq_step_activities_client_key'), type_='unique')
        batch.drop_column('client_key')
    op.drop_index('ix_client_actions_journey', table_name='client_actions')
    op.drop_table('client_actions')
