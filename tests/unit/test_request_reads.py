"""`request_reads`: the read sessions inside it are one session (an API GET's principal and its
data), yet each block reads what another session would: a block after a write sees the write,
a block after a failed one reads in a session of its own, and writes and other tasks keep theirs."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Company
from domain.unit_of_work import read_session, request_reads, unit_of_work


async def _session_of_a_read() -> AsyncSession:
    async with read_session() as session:
        return session


async def _company(company_id: int) -> Company:
    async with read_session() as session:
        company = await session.get(Company, company_id)
        assert company is not None
        return company


async def _new_company(name: str) -> int:
    async with unit_of_work() as session:
        company = Company(name=name)
        session.add(company)
        await session.flush()
        return company.id


async def test_the_reads_inside_share_one_session(db: str) -> None:
    async with request_reads():
        first, second = await _session_of_a_read(), await _session_of_a_read()
        assert first is second
        async with unit_of_work() as write:
            assert write is not first  # a write keeps a transaction of its own
        assert await asyncio.create_task(_session_of_a_read()) is not first  # so does another task
    assert await _session_of_a_read() is not first  # and nothing is shared after the block


async def test_a_write_inside_gives_the_read_connection_back_first(db: str) -> None:
    """A GET that writes (an export recorded in the audit trail) holds one connection at a time:
    with two, a pool full of such requests would wait on itself."""
    async with request_reads():
        reads = await _session_of_a_read()
        await _company_names()
        assert reads.in_transaction()
        async with unit_of_work():
            assert not reads.in_transaction()  # its connection is back in the pool
        await _company_names()
        assert reads.in_transaction()  # and the reads after it take one again


async def test_a_read_after_a_write_sees_the_write_not_the_object_read_before(db: str) -> None:
    company_id = await _new_company("Before Movers")
    async with request_reads():
        before = await _company(company_id)  # still referenced: a session would keep it in its identity map
        async with unit_of_work() as session:
            await session.execute(update(Company).where(Company.id == company_id).values(name="After Movers"))
        after = await _company(company_id)
        assert (before.name, after.name) == ("Before Movers", "After Movers")


async def test_a_nested_read_leaves_the_outer_blocks_objects_attached(db: str) -> None:
    company_id = await _new_company("Nested Movers")
    async with request_reads(), read_session() as outer:
        company = await outer.get(Company, company_id)
        assert (await _company(company_id)).name == "Nested Movers"
        assert company in outer  # the inner block's end did not empty the outer's identity map


async def test_after_a_failed_read_the_next_reads_alone(db: str) -> None:
    await _new_company("Still Movers")
    async with request_reads():
        failed = await _session_of_a_read()
        with pytest.raises(DBAPIError):
            async with read_session() as session:
                await session.execute(text("SELECT * FROM no_such_table"))  # aborts the transaction
        assert await _session_of_a_read() is not failed
        assert "Still Movers" in await _company_names()  # not "current transaction is aborted"


async def _company_names() -> list[str]:
    async with read_session() as session:
        return list(await session.scalars(select(Company.name)))
