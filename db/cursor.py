"""psycopg's async cursor with `description` built once per result.

psycopg 3 builds `cursor.description` afresh on every access: a new `Column` per column, each
decoding its name and looking its type up. SQLAlchemy reads it several times per statement (its
async adapter to decide whether to fetch, the result's metadata, a soft close), so a query of a
wide row paid for its description two or three times, a fifth of an API request's time in the
issue-18 profile (psycopg/psycopg#1240 speeds the property up upstream).

This cursor keeps the list it built for the current result and gives it back until the cursor
moves to another result (a new `execute`, `nextset`): the result object is the cache key, so a
description can never outlive its result. The engine uses it as the connections' `cursor_factory`
(db/session.py).
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncCursor, Column
from psycopg.pq.abc import PGresult


class DescribedOnceCursor(AsyncCursor[Any]):
    """An `AsyncCursor` whose `description` is computed once per result."""

    _described_result: PGresult | None = None
    _described: list[Column] | None = None

    @property
    def description(self) -> list[Column] | None:
        result = self.pgresult
        if result is None:
            return None
        if result is not self._described_result:
            self._described = super().description
            self._described_result = result
        return self._described
