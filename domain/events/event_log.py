"""The event log in PostgreSQL: what the relay sends, numbered, so a listener can catch up.

Every event the relay sends is appended to `event_log` and NOTIFYed with its number (`seq`) in
the payload, in one statement (so in one transaction). The number adds under 30 bytes to the
payload, within the margin `MAX_WIRE_BYTES` keeps below PostgreSQL's 8000.

An instance remembers the last `seq` it has seen; when its listening connection comes back after
an outage it reads the rows after that number (`read_since`) and publishes them as if they had
just arrived.

"seq greater than the last one seen" is exact only if numbers become visible in order. A
sequence hands out numbers at INSERT, not at COMMIT, so two instances appending at once could
commit 11 before 10, and a listener that saw 11 would never look for 10. Appends therefore take
a transaction-level advisory lock: one append commits at a time, in number order (a few
microseconds each; events are far rarer than that).

Pruning (`prune`) keeps the rows of the last `RETENTION` and at most `MAX_ROWS`: the log bridges a
listener's outage, it is not a history.
"""

from __future__ import annotations

import json
from datetime import timedelta

import psycopg

from domain.events.bus import DomainEvent

#: Rows younger than this are kept (a listener down longer than this misses events).
RETENTION = timedelta(hours=1)
#: ... and at most this many of them.
MAX_ROWS = 100_000
#: At most this many rows are read per catch-up query.
READ_BATCH = 500
#: `pg_advisory_xact_lock` key serialising appends (an arbitrary constant: "ccrm-evl").
APPEND_LOCK_KEY = 0x6363726D2D65766C


#: The wire form is the event's JSON with `"seq":N,` put in front of its first key.
_SEQ_KEY = '{"seq":'


def wire_payload(seq: int, event: DomainEvent) -> str:
    """The NOTIFY payload: the event's wire form with its `seq` as the first key."""
    return f"{_SEQ_KEY}{seq},{event.to_json()[1:]}"


def parse_payload(payload: str) -> tuple[int | None, DomainEvent]:
    """(seq, event) of a NOTIFY payload; seq is None for an unnumbered one (sent by an instance
    without the log). ValueError if the payload is not a domain event."""
    raw = json.loads(payload)
    seq = raw.pop("seq", None) if isinstance(raw, dict) else None
    if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
        raise ValueError(f"malformed event number {seq!r}")
    return seq, DomainEvent.from_wire(raw)


#: Lock, number, log and notify in one statement (one round trip: the sender may be busy). The
#: INSERT reads its row from `locked`, so the number is drawn after the lock is taken; the lock is
#: held until the statement's transaction commits. The payload is `wire_payload`'s, built in SQL.
_APPEND_AND_NOTIFY = """
WITH locked AS (SELECT pg_advisory_xact_lock(%(lock)s)),
     logged AS (INSERT INTO event_log (origin, payload)
                SELECT %(origin)s, %(event)s FROM locked RETURNING seq)
SELECT seq, pg_notify(%(channel)s, %(seq_key)s::text || seq || ',' || %(rest)s::text) FROM logged
"""


async def append_and_notify(conn: psycopg.AsyncConnection, channel: str, event: DomainEvent) -> int:
    """Append `event` and NOTIFY it on `channel`, in one transaction; returns its `seq`.
    `conn` is an autocommit connection (the relay's sender)."""
    wire = event.to_json()
    cursor = await conn.execute(_APPEND_AND_NOTIFY, {"lock": APPEND_LOCK_KEY, "origin": event.origin, "event": wire,
                                                    "channel": channel, "seq_key": _SEQ_KEY, "rest": wire[1:]})
    row = await cursor.fetchone()
    assert row is not None  # the INSERT always returns its row
    return int(row[0])


async def last_seq(conn: psycopg.AsyncConnection) -> int:
    """The number of the newest logged event (0 when the log is empty)."""
    cursor = await conn.execute("SELECT coalesce(max(seq), 0) FROM event_log")
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def oldest_seq(conn: psycopg.AsyncConnection) -> int | None:
    """The number of the oldest event still logged (None when the log is empty)."""
    cursor = await conn.execute("SELECT min(seq) FROM event_log")
    row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


async def read_since(conn: psycopg.AsyncConnection, seq: int, limit: int = READ_BATCH) -> list[tuple[int, str]]:
    """Up to `limit` logged events numbered above `seq`, oldest first: (seq, wire form)."""
    cursor = await conn.execute(
        "SELECT seq, payload FROM event_log WHERE seq > %s ORDER BY seq LIMIT %s", (seq, limit)
    )
    return [(int(row_seq), str(payload)) for row_seq, payload in await cursor.fetchall()]


async def prune(conn: psycopg.AsyncConnection, retention: timedelta = RETENTION, max_rows: int = MAX_ROWS) -> int:
    """Delete rows older than `retention` and all but the newest `max_rows`; returns how many."""
    cursor = await conn.execute(
        "DELETE FROM event_log WHERE at < now() - %s "
        "OR seq <= (SELECT max(seq) FROM event_log) - %s",
        (retention, max_rows),
    )
    return cursor.rowcount
