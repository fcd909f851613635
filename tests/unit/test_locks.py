"""`singleton_lock`: exactly one holder at a time — between tasks, between processes on one
PostgreSQL (advisory lock), and in-process on SQLite — released on exit, even on error."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db.dedicated import connect_dedicated
from domain.runtime.locks import lock_key, singleton_lock

ROOT = Path(__file__).resolve().parents[2]


async def _two_acquirers(name: str, url: str) -> tuple[list[bool], bool]:
    """Two tasks race for the lock while the winner holds it; then a third tries after release."""
    results: list[bool] = []
    release = asyncio.Event()

    async def acquirer() -> None:
        async with singleton_lock(name, database_url=url) as acquired:
            results.append(acquired)
            if acquired:
                await release.wait()

    first, second = asyncio.create_task(acquirer()), asyncio.create_task(acquirer())
    for _ in range(200):
        if len(results) == 2:
            break
        await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(first, second)
    async with singleton_lock(name, database_url=url) as again:
        pass
    return results, again


@pytest.mark.postgres_only
async def test_two_concurrent_acquirers_on_postgresql_exactly_one_wins(database_url: str) -> None:
    results, again = await _two_acquirers("smartmoving-sync:1", database_url)
    assert sorted(results) == [False, True]
    assert again is True


async def test_two_concurrent_acquirers_on_sqlite_exactly_one_wins(tmp_path: Path) -> None:
    results, again = await _two_acquirers("smartmoving-sync:1", f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert sorted(results) == [False, True]
    assert again is True


async def _held_elsewhere(url: str, name: str) -> bool:
    """Whether another PostgreSQL session (as another instance would) finds the lock taken."""
    async with await connect_dedicated(url, "test-other-instance") as conn:
        cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(name),))
        row = await cursor.fetchone()
        got = bool(row and row[0])
        if got:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(name),))
    return not got


@pytest.mark.postgres_only
async def test_the_lock_is_a_database_advisory_lock_released_even_on_error(database_url: str) -> None:
    name = "smartmoving-sync:2"
    with pytest.raises(RuntimeError):
        async with singleton_lock(name, database_url=database_url) as acquired:
            assert acquired
            assert await _held_elsewhere(database_url, name)
            raise RuntimeError("the job failed")
    assert not await _held_elsewhere(database_url, name)


@pytest.mark.postgres_only
async def test_only_one_of_two_processes_runs_the_guarded_job(database_url: str) -> None:
    """Two app processes start the same scheduled job at once: one runs it, the other skips."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from domain.runtime.locks import singleton_lock

        async def main():
            async with singleton_lock("smartmoving-sync:3", database_url={database_url!r}) as acquired:
                print("RAN" if acquired else "SKIPPED", flush=True)
                if acquired:  # the job is still running while the other process tries: until the test says
                    await asyncio.to_thread(sys.stdin.readline)

        asyncio.run(main())
        """
    )
    procs = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=ROOT, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    # Both answer before either job ends, however long a busy machine takes to start them
    # (a fixed 1.5 s job let a slow second process find the lock free again).
    outputs = [(await asyncio.wait_for(p.stdout.readline(), 60)).decode().strip() for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stdin.close()  # type: ignore[union-attr]
        await asyncio.wait_for(p.wait(), 30)
    assert sorted(outputs) == ["RAN", "SKIPPED"]
    async with singleton_lock("smartmoving-sync:3", database_url=database_url) as acquired:
        assert acquired  # both processes are gone: free again


@pytest.mark.postgres_only
async def test_a_waiting_acquirer_gets_the_lock_once_it_is_released(database_url: str) -> None:
    name = "startup:migrate-and-seed:test"
    outcome: list[bool] = []

    async def holder() -> None:
        async with singleton_lock(name, database_url=database_url) as acquired:
            assert acquired
            await asyncio.sleep(0.5)

    async def waiter() -> None:
        await asyncio.sleep(0.1)
        async with singleton_lock(name, wait=5, database_url=database_url) as acquired:
            outcome.append(acquired)

    await asyncio.gather(holder(), waiter())
    assert outcome == [True]


async def test_lock_keys_are_distinct_signed_64_bit_integers() -> None:
    keys = {lock_key(f"smartmoving-sync:{company}") for company in range(1000)}
    assert len(keys) == 1000
    assert all(-(2**63) <= k < 2**63 for k in keys)
