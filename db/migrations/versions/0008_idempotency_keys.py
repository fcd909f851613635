"""idempotency keys: a retried create (same Idempotency-Key, same body) gets the stored answer
instead of writing again

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
                    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=200), nullable=False),
                    sa.Column('fingerprint', sa.String(length=64), nullable=False),
                    sa.Column('status_code', sa.Integer(), nullable=False),
                    sa.Column('response', sa.Text(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
                    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key')))
    op.create_index(op.f('ix_idempotency_keys_created_at'), 'idempotency_keys', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_idempotency_keys_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
