"""Exactly once across a SIGKILL: an instance sending the completion report is killed while
SmartMoving (the simulator, real HTTP) has taken the file but not yet answered; after the restart
the drain finds the file there and SmartMoving ends up with one attachment and one note."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Callable

import pytest
from sqlalchemy import select

from db.enums import Phase, WriteBackKind, WriteBackStatus
from db.models import WriteBack, utcnow
from domain.unit_of_work import read_session
from domain.writeback.drain import LEASE, drain_write_backs
from integrations.smartmoving.simulator.server import SimulatorState
from tests.journey_factory import World, through
from tests.smartmoving.conftest import REPO_ROOT
from tests.writeback.conftest import FAST, issue_report

pytestmark = pytest.mark.postgres_only

#: How long SmartMoving holds the attachment's answer (the instance is killed well before).
HELD_SECONDS = 120.0
#: Bound on waiting for the other instance to get to the call (a loaded machine is slow to start one).
REACH_SECONDS = 90.0


async def _until(condition: Callable[[], bool], process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(REACH_SECONDS):
        while not condition():
            assert process.returncode is None, "the other instance ended before it was killed"
            await asyncio.sleep(0.02)


async def _statuses(world: World) -> dict[WriteBackKind, WriteBackStatus]:
    async with read_session() as session:
        return {r.kind: r.status for r in await session.scalars(
            select(WriteBack).where(WriteBack.journey_id == world.journey_id))}


async def test_sigkill_while_attaching_then_restart_sends_each_once(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState) -> None:
    opportunity_id = opportunity[0]
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    sim_state.writes.attachment_delay_seconds = HELD_SECONDS
    options = json.dumps(FAST | {"timeout": HELD_SECONDS * 2})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.writeback.instance", options, cwd=REPO_ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await _until(lambda: bool(sim_state.writes.attached_to(opportunity_id)), process)
        assert (await _statuses(world))[WriteBackKind.ATTACHMENT] is WriteBackStatus.SENDING
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == -signal.SIGKILL
    assert (await _statuses(world))[WriteBackKind.ATTACHMENT] is WriteBackStatus.SENDING  # no answer came

    # The restart: the killed instance's lease ends, the drain picks the row up again.
    sim_state.writes.attachment_delay_seconds = 0
    before = len(sim_state.call_log)
    outcome = await drain_write_backs(now=utcnow() + LEASE, client_options=FAST)
    assert outcome.failed == 0
    assert await _statuses(world) == {WriteBackKind.ATTACHMENT: WriteBackStatus.SENT,
                                      WriteBackKind.NOTE: WriteBackStatus.SENT}
    assert len(sim_state.writes.attached_to(opportunity_id)) == 1
    assert len(sim_state.writes.note_patches) == 1
    after = [(c.method, c.path.rsplit("/", 1)[-1]) for c in sim_state.call_log[before:]]
    assert ("GET", "documents") in after and ("POST", "attachments") not in after
