"""Write-back to SmartMoving: a journey completed through the real workflow queues its completion
report and job note; the drain sends them to the simulator over real HTTP, once; retries back off
on a fake clock; a Basic plan sends nothing; every call counts against the budget."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import select, update

from db.enums import DeliveryCheck, IntegrationPlan, Phase, SyncKind, SyncRunStatus, WriteBackKind, WriteBackStatus
from db.models import AuditEntry, CompanyIntegration, SyncRun, WriteBack, utcnow
from domain.access.rbac import Principal
from domain.errors import Conflict, Forbidden
from domain.sync.budget import calls_this_month
from domain.sync.call_plan import QUOTAS
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from domain.writeback import drain as sender
from domain.writeback.drain import LEASE, drain_write_backs
from domain.writeback.note import NOTE_TITLE
from domain.writeback.status import retry_write_back, write_back_summary
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.journey_factory import World, through
from tests.writeback.conftest import (
    FAST,
    add_exception,
    add_integration,
    issue_report,
    newest_report,
    withdraw_reports,
)

pytestmark = pytest.mark.postgres_only


async def rows(world: World) -> dict[WriteBackKind, WriteBack]:
    async with read_session() as session:
        return {r.kind: r for r in await session.scalars(select(WriteBack).where(
            WriteBack.journey_id == world.journey_id))}


def write_calls(sim: SimulatorState) -> list[tuple[str, str, int | None]]:
    """The premium write-back calls SmartMoving received (method, last path segment, status)."""
    return [(c.method, c.path.rsplit("/", 1)[-1], c.status) for c in sim.call_log
            if c.path.endswith(("/attachments", "/notes", "/documents"))]


async def drain(at: dt.datetime | None = None, **options: Any) -> sender.DrainReport:
    return await drain_write_backs(now=at, client_options=FAST | options)


async def test_completion_sends_the_report_and_the_note_once(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState,
        script: SimulatorScript) -> None:
    opportunity_id, job_id = opportunity
    await add_exception(world, "Sofa", DeliveryCheck.DAMAGED, "torn cushion")
    await add_exception(world, "Lamp", DeliveryCheck.MISSING)
    result = await through(world, Phase.COMPLETION)
    assert result.journey_status.value == "COMPLETED"
    queued = await rows(world)
    assert {k: r.status for k, r in queued.items()} == {WriteBackKind.ATTACHMENT: WriteBackStatus.QUEUED,
                                                        WriteBackKind.NOTE: WriteBackStatus.QUEUED}
    report = await issue_report(world)

    outcome = await drain()
    assert (outcome.sent, outcome.failed, outcome.calls) == (2, 0, 2)
    received = await script.writes()
    attached = received["attachments"][opportunity_id]
    assert len(attached) == 1 and attached[0]["fileName"].endswith(f"-{report.sha256[:12]}.pdf")
    assert attached[0]["size"] == report.size_bytes and attached[0]["category"] == 4
    assert len(received["note_patches"]) == 1
    note = received["note_patches"][0]
    assert (note["opportunity_id"], note["job_id"]) == (opportunity_id, job_id)
    text = note["fields"]["dispatcherNotes"]
    assert text.startswith(f"{NOTE_TITLE} — SM 100777-1")
    assert "Crew: Driver (driver), Mover (mover)" in text and "Truck: T-" in text
    assert "- Pickup: " in text and "Exceptions (2):" in text
    assert "- Living room · Sofa ×1: damaged (scratched): torn cushion" in text
    assert "- Living room · Lamp ×1: missing" in text
    assert "T" not in text.split("Pickup: ")[1].split("\n")[0]  # 24-hour local clock, no ISO timestamps

    sent = await rows(world)
    assert all(r.status is WriteBackStatus.SENT and r.api_calls == 1 for r in sent.values())
    assert sent[WriteBackKind.ATTACHMENT].sent_sha256 == report.sha256
    async with read_session() as session:
        entries = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "smartmoving.write_back.sent", AuditEntry.entity_id == str(world.journey_id))))
        assert await calls_this_month(session, integration, utcnow()) == 2  # counted against the budget
    assert {(e.new_values or {}).get("what") for e in entries} == {"completion report", "job note"}
    assert any((e.new_values or {}).get("sha256") == report.sha256 for e in entries)

    assert (await drain()).calls == 0  # nothing due: nothing sent again
    assert len(write_calls(sim_state)) == 2


async def test_completing_again_sends_only_what_changed(
        world: World, integration: int, opportunity: tuple[str, str], script: SimulatorScript) -> None:
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    await drain()
    await workflow.reject_phase(world["manager"], world.journey_id, Phase.COMPLETION, "Redo the wrap-up")
    await workflow.complete_phase(world["driver"], world.journey_id, Phase.COMPLETION)
    again = await rows(world)
    assert again[WriteBackKind.NOTE].status is WriteBackStatus.SENT  # same crew, times, exceptions
    assert again[WriteBackKind.ATTACHMENT].status is WriteBackStatus.QUEUED
    # completing again issued a new report (its issue time is in it): that one is attached, the note is not resent
    assert (await drain()).calls == 1
    reissued = await newest_report(world)
    assert (await rows(world))[WriteBackKind.ATTACHMENT].sent_sha256 == reissued.sha256
    async with unit_of_work() as session:  # queued again without a new report: the same SHA-256 is not sent twice
        await session.execute(update(WriteBack).where(WriteBack.journey_id == world.journey_id,
                                                      WriteBack.kind == WriteBackKind.ATTACHMENT)
                              .values(status=WriteBackStatus.QUEUED, next_attempt_at=utcnow()))
    assert (await drain()).calls == 0
    assert (await rows(world))[WriteBackKind.ATTACHMENT].status is WriteBackStatus.SENT

    await workflow.reject_phase(world["manager"], world.journey_id, Phase.COMPLETION, "Add the missing lamp")
    await add_exception(world, "Lamp", DeliveryCheck.MISSING)
    await workflow.complete_phase(world["driver"], world.journey_id, Phase.COMPLETION)
    changed = await issue_report(world, b"%PDF-1.7 completion report v2, the lamp\n%%EOF")
    assert (await drain()).sent == 2
    received = await script.writes()
    names = [a["fileName"] for a in received["attachments"][opportunity[0]]]
    assert len(names) == 3 and names[2].endswith(f"{changed.sha256[:12]}.pdf")
    assert [p["fields"]["dispatcherNotes"].count("Lamp") for p in received["note_patches"]] == [0, 1]


async def test_the_attachment_waits_for_the_report(
        world: World, integration: int, script: SimulatorScript) -> None:
    await through(world, Phase.COMPLETION)
    await withdraw_reports(world)  # as for a journey completed before reports were issued
    outcome = await drain()
    assert (outcome.sent, outcome.calls) == (1, 1)  # the note; no report issued yet
    waiting = (await rows(world))[WriteBackKind.ATTACHMENT]
    assert (waiting.status, waiting.attempts) == (WriteBackStatus.QUEUED, 0)
    assert waiting.last_error == "waiting for the completion report to be issued"
    assert not (await script.writes())["attachments"]
    await issue_report(world)
    assert (await drain(waiting.next_attempt_at)).sent == 1


async def test_server_errors_back_off_then_send_after_looking_first(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState,
        script: SimulatorScript) -> None:
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    sim_state.failing_opportunity_ids[opportunity[0]] = 503
    start = utcnow()
    outcome = await drain(start)
    assert (outcome.retrying, outcome.sent, outcome.calls) == (1, 0, 1)  # the first failure ends this drain
    row = (await rows(world))[WriteBackKind.ATTACHMENT]
    assert (row.status, row.attempts, row.api_calls) == (WriteBackStatus.QUEUED, 1, 1)
    assert row.last_error == "SmartMoving answered with a server error (503): trying again later"
    wait = row.next_attempt_at - start
    assert sender.BACKOFF_BASE / 2 <= wait <= sender.BACKOFF_BASE
    assert (await drain(start + wait / 4)).calls == 1  # only the note was due (and failed): no attachment
    assert [c for c in write_calls(sim_state) if c[1] == "attachments"] == [("POST", "attachments", 503)]

    del sim_state.failing_opportunity_ids[opportunity[0]]
    assert (await drain(start + sender.BACKOFF_CAP)).sent == 2
    # After a 5xx the file may have landed: the drain looks at the documents before attaching again.
    assert [c for c in write_calls(sim_state) if c[1] != "notes"] == [
        ("POST", "attachments", 503), ("GET", "documents", 200), ("POST", "attachments", 201)]
    assert len((await script.writes())["attachments"][opportunity[0]]) == 1
    assert sum(r.api_calls for r in (await rows(world)).values()) == 5


def test_backoff_doubles_with_jitter_up_to_its_cap() -> None:
    rng = random.Random(7)
    base, cap = sender.BACKOFF_BASE, sender.BACKOFF_CAP
    for attempts in range(1, 16):
        ceiling = min(base * 2 ** (attempts - 1), cap)
        waits = [sender.backoff(attempts, rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits), attempts
        assert len(set(waits)) > 1  # jittered: retries of many rows do not arrive together


async def test_rate_limited_writes_are_retried_on_the_clients_clock(
        world: World, integration: int, sim_state: SimulatorState, script: SimulatorScript) -> None:
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    sim_state.clock = lambda: now[0]
    sim_state.rate_limit_per_minute, sim_state.rate_limit_window_seconds = 1, 60.0
    outcome = await drain(clock=lambda: now[0], sleep=sleep, max_backoff=120.0)
    assert outcome.sent == 2
    statuses = [c[2] for c in write_calls(sim_state)]
    assert statuses.count(429) == 1 and statuses.count(201) == 1 and statuses.count(200) == 1
    assert waits and waits[0] >= 1  # Retry-After honoured on the fake clock
    sent = await rows(world)
    assert sum(r.api_calls for r in sent.values()) == 3  # the 429 counts against the budget too


async def test_basic_plan_sends_nothing_and_says_why(
        world: World, sim_url: str, opportunity: tuple[str, str], sim_state: SimulatorState) -> None:
    await add_integration(world, sim_url, IntegrationPlan.BASIC)
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    skipped = await rows(world)
    assert {r.status for r in skipped.values()} == {WriteBackStatus.SKIPPED}
    assert all("Basic" in (r.last_error or "") and "read-only" in (r.last_error or "") for r in skipped.values())
    assert (await drain()).calls == 0
    assert write_calls(sim_state) == []


async def test_a_plan_downgraded_before_sending_skips_the_rows(
        world: World, integration: int, sim_state: SimulatorState) -> None:
    await through(world, Phase.COMPLETION)
    async with unit_of_work() as session:
        await session.execute(update(CompanyIntegration).values(plan=IntegrationPlan.BASIC))
    outcome = await drain()
    assert (outcome.skipped, outcome.calls) == (2, 0)
    assert write_calls(sim_state) == []


async def test_no_budget_left_sends_nothing(
        world: World, integration: int, sim_state: SimulatorState) -> None:
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    async with unit_of_work() as session:
        session.add(SyncRun(integration_id=integration, kind=SyncKind.JOBS, trigger="schedule",
                            status=SyncRunStatus.SUCCEEDED, api_calls=QUOTAS[IntegrationPlan.PREMIUM] - 2))
    outcome = await drain()
    assert (outcome.sent, outcome.calls, outcome.over_budget) == (0, 0, [integration])
    waiting = await rows(world)
    assert all(r.status is WriteBackStatus.QUEUED and r.next_attempt_at > utcnow() + dt.timedelta(hours=1)
               for r in waiting.values())
    assert all("call budget" in (r.last_error or "") for r in waiting.values())
    assert write_calls(sim_state) == []


async def test_a_failed_row_shows_in_words_and_can_be_retried(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState,
        super_admin: Principal) -> None:
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    sim_state.failing_opportunity_ids[opportunity[0]] = 404
    outcome = await drain()
    assert outcome.failed == 2
    summary = await write_back_summary(world["manager"], world.company_id)
    assert (summary.queued, summary.sent, summary.failed) == (0, 0, 2)
    assert summary.last_error == "SmartMoving no longer has this opportunity or job"
    assert {f.what for f in summary.failed_rows} == {"Completion report", "Job note"}
    assert summary.failed_rows[0].journey == "SM 100777-1"
    failed_id = summary.failed_rows[0].id
    with pytest.raises(Forbidden):
        await retry_write_back(world["driver"], failed_id)
    with pytest.raises(Forbidden):
        await retry_write_back(world["admin"], failed_id)  # the integration is the super admin's
    await retry_write_back(super_admin, failed_id)
    with pytest.raises(Conflict):
        await retry_write_back(super_admin, failed_id)
    del sim_state.failing_opportunity_ids[opportunity[0]]
    assert (await drain()).sent == 1
    after = await write_back_summary(world["manager"], world.company_id)
    assert (after.sent, after.failed) == (1, 1)


async def test_a_lease_ended_row_is_looked_for_before_sending_again(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState,
        script: SimulatorScript) -> None:
    """In-process stand-in for the kill test's restart: a row left SENDING whose file already
    reached SmartMoving is found there, not attached again."""
    await through(world, Phase.COMPLETION)
    report = await issue_report(world)
    name = sender.attachment_name(report)
    sim_state.writes.attach(opportunity[0], name, report.size_bytes, 4, None)
    start = utcnow()
    async with unit_of_work() as session:
        await session.execute(update(WriteBack).where(WriteBack.kind == WriteBackKind.ATTACHMENT).values(
            status=WriteBackStatus.SENDING, attempts=1, file_name=name, next_attempt_at=start + LEASE))
    assert (await drain(start)).sent == 1  # the note only: the attachment's lease runs
    assert (await drain(start + LEASE)).sent == 1
    row = (await rows(world))[WriteBackKind.ATTACHMENT]
    assert row.status is WriteBackStatus.SENT and row.remote_id is not None
    assert len((await script.writes())["attachments"][opportunity[0]]) == 1
    assert [c[:2] for c in write_calls(sim_state) if c[1] != "notes"] == [("GET", "documents")]


async def test_an_oversized_report_fails_in_words_without_a_call(
        world: World, integration: int, sim_state: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> None:
    await through(world, Phase.COMPLETION)
    report = await issue_report(world)
    monkeypatch.setattr(sender, "MAX_ATTACHMENT_BYTES", report.size_bytes - 1)
    outcome = await drain()
    assert (outcome.failed, outcome.sent, outcome.calls) == (1, 1, 1)  # the note went; the report did not
    row = (await rows(world))[WriteBackKind.ATTACHMENT]
    assert row.status is WriteBackStatus.FAILED and row.attempts == 0
    assert row.last_error is not None and "more than the 0 MB sent to SmartMoving" in row.last_error
    assert [c[1] for c in write_calls(sim_state)] == ["notes"]


async def test_two_drains_at_once_send_each_row_once(
        world: World, integration: int, opportunity: tuple[str, str], sim_state: SimulatorState) -> None:
    """Two instances' drains together (rows claimed with SKIP LOCKED, the attachment held a moment)."""
    await through(world, Phase.COMPLETION)
    await issue_report(world)
    sim_state.writes.attachment_delay_seconds = 0.5
    first, second = await asyncio.gather(drain(), drain())
    assert first.sent + second.sent == 2
    assert len(sim_state.writes.attached_to(opportunity[0])) == 1
    assert len(sim_state.writes.note_patches) == 1
