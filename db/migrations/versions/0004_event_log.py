"""event log: domain events relayed between instances, numbered in commit order, so that an
instance whose listener was down catches up on what it missed

Revision ID: 0004_event_log
Revises: 0003
Create Date: 2026-12-02 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_event_log'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_log',
                    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
                    sa.Column('origin', sa.String(length=100), nullable=False),
                    sa.Column('payload', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('seq', name=op.f('pk_event_log')))
    op.create_index(op.f('ix_event_log_at'), 'event_log', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_event_log_at'), table_name='event_log')
    op.drop_table('event_log')
