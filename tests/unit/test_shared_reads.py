"""Versioned shared reads (issue 18): a live refresh takes a read that started after its newest
event, running or finished; any other call only a running one of the current serial; finished
reads are bounded in number and age."""

from __future__ import annotations

import asyncio

import pytest

from domain.runtime.shared_reads import SharedReads, live_refresh
from tests.fake_clock import FakeClock


class Source:
    """A read that counts itself and can be held open."""

    def __init__(self) -> None:
        self.value = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> int:
        await self.gate.wait()
        self.value += 1
        return self.value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def reads(serial: list[int], clock: FakeClock, **limits: float) -> SharedReads:
    return SharedReads(lambda: serial[0], clock=clock, **limits)  # type: ignore[arg-type]


async def test_refreshes_of_one_event_take_one_finished_read_and_a_newer_event_reads_again(clock: FakeClock) -> None:
    serial, source = [5], Source()
    shared = reads(serial, clock)
    with live_refresh(5):
        answers = [await shared.run("stats", source) for _ in range(150)]  # one after the other, as slots allow
    assert answers == [1] * 150 and (shared.made, shared.reused) == (1, 149)

    serial[0] = 6  # a change: the refreshes it causes need a read that started after it
    with live_refresh(6):
        assert [await shared.run("stats", source) for _ in range(3)] == [2, 2, 2]
    with live_refresh(5):  # a page still on the older event may take the newer read
        assert await shared.run("stats", source) == 2
    assert shared.made == 2


async def test_a_read_that_started_before_the_event_is_not_taken_even_while_running(clock: FakeClock) -> None:
    serial, source = [1], Source()
    shared = reads(serial, clock)
    source.gate.clear()
    with live_refresh(1):
        early = asyncio.ensure_future(shared.run("card", source))
        await asyncio.sleep(0)
    serial[0] = 2
    with live_refresh(2):
        late = asyncio.ensure_future(shared.run("card", source))
        joined = asyncio.ensure_future(shared.run("card", source))
        await asyncio.sleep(0)
    source.gate.set()
    assert await late == await joined != await early
    assert (shared.made, shared.shared) == (2, 1)


async def test_other_calls_join_a_running_read_of_the_current_serial_but_never_take_a_finished_one(
        clock: FakeClock) -> None:
    serial, source = [3], Source()
    shared = reads(serial, clock)
    source.gate.clear()
    together = asyncio.gather(*(shared.run("board", source) for _ in range(40)))
    await asyncio.sleep(0)
    source.gate.set()
    assert await together == [1] * 40 and (shared.made, shared.shared) == (1, 39)
    assert await shared.run("board", source) == 2  # a page built now, after a write that may announce nothing
    assert shared.reused == 0


async def test_finished_reads_are_bounded_in_number_and_age(clock: FakeClock) -> None:
    serial, source = [1], Source()
    shared = reads(serial, clock, max_entries=2, max_age=5.0)
    with live_refresh(1):
        for key in ("a", "b", "c"):
            await shared.run(key, source)
        assert len(shared) == 2
        assert await shared.run("a", source) == 4  # the oldest was dropped: read again
        assert await shared.run("c", source) == 3
        clock.advance(5.1)
        assert await shared.run("c", source) == 5  # too old to hand out, though no event came
        assert len(shared) == 1  # making it dropped the expired ones


async def test_a_failed_read_reaches_its_callers_and_is_not_kept(clock: FakeClock) -> None:
    serial, calls = [1], [0]
    shared = reads(serial, clock)

    async def failing() -> int:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("database went away")
        return calls[0]

    with live_refresh(1):
        with pytest.raises(RuntimeError):
            await shared.run("stats", failing)
        assert await shared.run("stats", failing) == 2
