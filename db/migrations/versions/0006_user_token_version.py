"""users.token_version: raising it ends the user's bearer tokens and page sessions at once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:00:00

Tokens and sessions carry the version they were issued with; logout, a password reset,
deactivation and a role change raise it, so every older token and session is refused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:  # batch: SQLite alters a table by copying it
        batch.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('token_version')
