"""Dedicated PostgreSQL connections, outside the SQLAlchemy pool.

LISTEN, NOTIFY from a background sender, and session-level advisory locks each need one
connection of their own for their whole lifetime: a pooled connection would be handed to other
work (or recycled) underneath them. These are plain psycopg 3 async connections in autocommit.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

#: Seconds to wait for the server when opening a dedicated connection.
CONNECT_TIMEOUT_SECONDS = 5
#: libpq caps application_name at 63 bytes.
_APPLICATION_NAME_MAX = 63


def libpq_url(database_url: str) -> str:
    """The libpq form (`postgresql://...`) of an application database URL."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.get_backend_name()!r}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def connect_dedicated(database_url: str, purpose: str) -> psycopg.AsyncConnection:
    """Open an autocommit connection named `ccrm-<purpose>` (visible in pg_stat_activity)."""
    return await psycopg.AsyncConnection.connect(
        libpq_url(database_url),
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        application_name=f"ccrm-{purpose}"[:_APPLICATION_NAME_MAX],
    )
