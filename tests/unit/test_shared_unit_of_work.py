"""`shared_unit_of_work`: the units and reads inside it are its one transaction (they see its
uncommitted rows, and commit or roll back with it); a task started inside gets its own session."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db.models import Company
from domain.unit_of_work import read_session, shared_unit_of_work, unit_of_work


async def _companies(name: str) -> int:
    async with read_session() as session:
        return await session.scalar(select(func.count()).select_from(Company).where(Company.name == name)) or 0


async def test_units_and_reads_inside_join_the_one_transaction(db: str) -> None:
    async with shared_unit_of_work() as outer:
        async with unit_of_work() as inner:
            assert inner is outer
            inner.add(Company(name="Shared Movers"))
        assert await _companies("Shared Movers") == 1  # read inside: the uncommitted row
        assert await asyncio.create_task(_companies("Shared Movers")) == 0  # another task: its own session
    assert await _companies("Shared Movers") == 1  # committed once, at the end


async def test_a_failure_after_the_write_rolls_the_write_back(db: str) -> None:
    with pytest.raises(RuntimeError, match="answer failed"):
        async with shared_unit_of_work():
            async with unit_of_work() as session:
                session.add(Company(name="Never Movers"))
            assert await _companies("Never Movers") == 1
            raise RuntimeError("answer failed")
    assert await _companies("Never Movers") == 0


async def test_it_does_not_nest(db: str) -> None:
    async with shared_unit_of_work():
        with pytest.raises(RuntimeError, match="does not nest"):
            async with shared_unit_of_work():
                pass
