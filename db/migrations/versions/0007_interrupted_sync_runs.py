"""sync runs can be INTERRUPTED: a run whose process died mid-run, closed by the next holder of
the integration's sync guard (or on start-up)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED')
AFTER = (*BEFORE, 'INTERRUPTED')
CONSTRAINT = 'ck_sync_runs_sync_run_status'


def _enum(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='sync_run_status', native_enum=False, create_constraint=True,
                   length=max(map(len, values)))


def _change(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f(CONSTRAINT), 'sync_runs', type_='check')
        op.alter_column('sync_runs', 'status', type_=sa.String(max(map(len, new))),
                        existing_type=sa.String(max(map(len, old))), existing_nullable=False)
        allowed = ", ".join(f"'{value}'" for value in new)
        op.create_check_constraint(op.f(CONSTRAINT), 'sync_runs', f"status IN ({allowed})")
    else:  # SQLite: the table is rebuilt with the new CHECK
        with op.batch_alter_table('sync_runs') as batch:
            batch.alter_column('status', existing_type=_enum(old), type_=_enum(new), existing_nullable=False)


def upgrade() -> None:
    _change(BEFORE, AFTER)


def downgrade() -> None:
    op.execute("UPDATE sync_runs SET status = 'FAILED' WHERE status = 'INTERRUPTED'")
    _change(AFTER, BEFORE)
