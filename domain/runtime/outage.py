"""Telling a database outage from a bug: the one place that decides which errors mean "the
database is unreachable, hung or overloaded right now", and what people are told then.

Such an error is no fault of the request: the API answers 503 with `Retry-After`, a page load
answers a plain "briefly unavailable" page, and an open page says that a tap was not saved. What
is said never names a host, port or driver message (`api/http/outage.py`, `components/outage.py`).
"""

from __future__ import annotations

import logging

import psycopg
from sqlalchemy import exc as sa_exc

#: Said to people on an API answer and a page load during an outage.
UNAVAILABLE_MESSAGE = "The service is briefly unavailable, try again in a moment."
#: Said on an open page when a tap could not be saved.
NOT_SAVED_MESSAGE = "Not saved — no connection to the server's database. Try again."

_OUTAGE_TYPES: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,  # refused, reset, hung (no answer in time), statement_timeout, admin shutdown
    sa_exc.TimeoutError,  # no pooled connection free within DB_POOL_TIMEOUT
    psycopg.OperationalError,  # the dedicated connections (locks, relay), unwrapped
)
#: How far down `__cause__` / `__context__` an outage is looked for (an error raised while handling one).
_CHAIN_DEPTH = 5


def _is_outage_itself(error: BaseException) -> bool:
    if isinstance(error, _OUTAGE_TYPES):
        return True
    # e.g. an InterfaceError on a connection that SQLAlchemy found closed underneath it
    return isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated


def is_database_outage(error: BaseException) -> bool:
    """True for an error that means the database is unavailable (not a bug, not bad input)."""
    seen: BaseException | None = error
    for _ in range(_CHAIN_DEPTH):
        if seen is None:
            return False
        if _is_outage_itself(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class OutageLogFilter(logging.Filter):
    """Logs an outage that reached a framework's catch-all (NiceGUI logs an event handler's
    exception with its traceback as an ERROR) as one WARNING line naming the error's type: an
    outage is no bug, and the driver's text (hosts, ports) stays out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_database_outage(error):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = "database unavailable (%s)", (type(error).__name__,)
            record.exc_info, record.exc_text = None, None
        return True


def quiet_outages_in(logger_name: str) -> None:
    """Install `OutageLogFilter` on a logger once."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, OutageLogFilter) for f in logger.filters):
        logger.addFilter(OutageLogFilter())
