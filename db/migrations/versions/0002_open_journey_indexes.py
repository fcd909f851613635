"""partial indexes on open journeys, for the active job lists at company scale

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 00:20:00

Without them `GET /api/journey/active` counted and sorted a company's (or a branch's) whole
history of journeys to find the few hundred not yet closed (bench.company: 73,000 journeys).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_JOURNEY = sa.text("status NOT IN ('COMPLETED', 'AUDITED', 'CANCELLED')")


def upgrade() -> None:
    op.create_index('ix_journeys_open_company_date', 'journeys', ['company_id', 'journey_date', 'status'],
                    unique=False, postgresql_where=OPEN_JOURNEY, sqlite_where=OPEN_JOURNEY)
    op.create_index('ix_journeys_open_location_date', 'journeys', ['location_id', 'journey_date', 'status'],
                    unique=False, postgresql_where=OPEN_JOURNEY, sqlite_where=OPEN_JOURNEY)


def downgrade() -> None:
    op.drop_index('ix_journeys_open_location_date', table_name='journeys')
    op.drop_index('ix_journeys_open_company_date', table_name='journeys')
