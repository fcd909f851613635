"""trigram indexes for the journey search box (pg_trgm on PostgreSQL)

Revision ID: 0005
Revises: 0004_event_log
Create Date: 2026-12-03 00:00:00

`/journeys`, `GET /api/journeys` and the board match their search text with `ILIKE '%term%'`
over the customer's name, job number, addresses, phone and e-mail (and the phone's digits).
Without an index that reads a company's whole history (about 200 ms for a year; seconds at
730,000 journeys). GIN trigram indexes answer it for terms of three characters or more.

On SQLite the same indexes are plain b-trees, unused by `LIKE '%term%'`: the search works there,
scanning. The downgrade leaves the `pg_trgm` extension installed (it may have other users).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004_event_log'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('customer_name', 'job_number', 'origin_address', 'destination_address', 'customer_phone',
           'customer_email')
#: The phone without the separators people type (as `db.models.journey.phone_digits_of`).
PHONE_DIGITS = ("replace(replace(replace(replace(replace(replace(customer_phone, ' ', ''), '-', ''), '(', ''), "
                "')', ''), '.', ''), '+', '')")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name in COLUMNS:
        op.create_index(f'ix_journeys_{name}_trgm', 'journeys', [name], unique=False, postgresql_using='gin',
                        postgresql_ops={name: 'gin_trgm_ops'})
    if postgres:
        op.execute(f'CREATE INDEX ix_journeys_phone_digits_trgm ON journeys USING gin ({PHONE_DIGITS} gin_trgm_ops)')
    else:
        op.create_index('ix_journeys_phone_digits_trgm', 'journeys', [sa.text(PHONE_DIGITS)], unique=False)


def downgrade() -> None:
    op.drop_index('ix_journeys_phone_digits_trgm', table_name='journeys')
    for name in reversed(COLUMNS):
        op.drop_index(f'ix_journeys_{name}_trgm', table_name='journeys')
