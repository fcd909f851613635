"""The engine's psycopg cursors describe each result once (db/cursor.py), and rightly: the
description follows the cursor from one result to the next, and rows still map to their columns."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select, text

from db.cursor import DescribedOnceCursor
from db.session import get_engine

#: The cursor is psycopg's (SQLite has its own driver).
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.postgres_only]


async def test_engine_connections_use_the_cursor() -> None:
    async with get_engine().connect() as conn:
        raw = await conn.get_raw_connection()
        cursor = raw.driver_connection.cursor()
        try:
            assert isinstance(cursor, DescribedOnceCursor)
        finally:
            await cursor.close()


async def test_description_is_built_once_per_result_and_follows_the_next() -> None:
    async with get_engine().connect() as conn:
        raw = await conn.get_raw_connection()
        async with raw.driver_connection.cursor() as cursor:
            assert cursor.description is None  # nothing executed yet
            await cursor.execute("SELECT 1 AS one, 'a'::text AS letter")
            first = cursor.description
            assert first is cursor.description  # the same list, not rebuilt
            assert [c.name for c in first or []] == ["one", "letter"]
            await cursor.execute("SELECT now() AS moment")
            assert [c.name for c in cursor.description or []] == ["moment"]
            await cursor.execute("SELECT 1 AS a; SELECT 2 AS b, 3 AS c")  # two results in one go
            assert [c.name for c in cursor.description or []] == ["a"]
            assert cursor.nextset()
            assert [c.name for c in cursor.description or []] == ["b", "c"]
            assert await cursor.fetchall() == [(2, 3)]
            await cursor.execute("CREATE TEMPORARY TABLE described (x int)")
            assert cursor.description is None  # a command returns no rows


async def test_rows_map_to_their_columns_through_sqlalchemy() -> None:
    async with get_engine().connect() as conn:
        for n in range(3):  # the same compiled statement again: the cache must not mix results up
            row = (await conn.execute(select(literal(n).label("number"), literal(f"t{n}").label("word")))).one()
            assert (row.number, row.word) == (n, f"t{n}")
        wide = (await conn.execute(text("SELECT 1 AS x, 2 AS y, 3 AS z"))).mappings().one()
        assert dict(wide) == {"x": 1, "y": 2, "z": 3}
