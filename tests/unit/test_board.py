"""The board read models: cards per role, stats, filters, today per timezone, fixed query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from zoneinfo import ZoneInfo

from sqlalchemy import update

from bench.seeding import record_sql, seed_busy_location
from db.enums import CrewRole, DataSource, JourneyStatus
from db.models import Journey, Location
from db.session import get_engine
from domain.board.assignment import CrewChoice, assign
from domain.board.views import active_journeys, company_overview, load_board, load_timeline
from domain.board.cards import CardFilters
from domain.errors import Forbidden, NotFound
from domain.journeys.detail import journey_detail
from domain.journeys.edit import JourneyDraft, cancel_journey, create_journey
from domain.access.rbac import load_principal
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.journey_world import World, make_world


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _busy(world: World) -> dict[str, int]:
    """Four journeys today at home: assigned, unassigned, SmartMoving, cancelled; one elsewhere."""
    p = world.principals["manager"]
    ids = {
        "assigned": await create_journey(p, JourneyDraft(world.home, world.today, "Alice Assigned",
                                                         scheduled_start=world.at(8), scheduled_end=world.at(11),
                                                         estimated_value=Decimal("1000"))),
        "open": await create_journey(p, JourneyDraft(world.home, world.today, "Oscar Open",
                                                     origin_address="12 Maple Ave", estimated_value=Decimal("250"))),
        "cancelled": await create_journey(p, JourneyDraft(world.home, world.today, "Carl Cancelled",
                                                          estimated_value=Decimal("999"))),
        "elsewhere": await world.journey(location=world.away, name="Otto Ottawa", by="admin"),
    }
    async with unit_of_work() as s:
        await s.execute(update(Journey).where(Journey.id == ids["open"])
                        .values(data_source=DataSource.SMARTMOVING, job_number="777001-1", external_id="x1"))
    await assign(p, ids["assigned"], truck_id=world.trucks["T1"],
                 crew=[CrewChoice(world.users["driver"], CrewRole.DRIVER)])
    await cancel_journey(p, ids["cancelled"])
    return ids


async def test_dispatcher_board_has_cards_and_stats_but_no_money(world: World) -> None:
    ids = await _busy(world)
    board = await load_board(world.principals["dispatcher"], world.home)
    assert board.day == board.today == world.today and board.tomorrow == world.today + timedelta(days=1)
    assert {c.id for c in board.cards} == {ids["assigned"], ids["open"], ids["cancelled"]}
    assigned = next(c for c in board.cards if c.id == ids["assigned"])
    assert assigned.truck_number == "TOR-01" and [(m.name, m.role) for m in assigned.crew] == [
        ("Dan Driver", CrewRole.DRIVER)]
    assert assigned.label == "Manual job" and len(assigned.phases) == 6
    assert next(c for c in board.cards if c.id == ids["open"]).label == "SM 777001-1"
    assert all(c.estimated_value is None and "estimated_value" not in c.to_dict() for c in board.cards)
    s = board.stats
    assert (s.total, s.unassigned, s.cancelled, s.smartmoving, s.manual, s.estimated_value) == (2, 1, 1, 1, 1, None)


async def test_manager_board_has_values_summed_without_cancelled(world: World) -> None:
    ids = await _busy(world)
    board = await load_board(world.principals["manager"], world.home)
    assert board.stats.estimated_value == Decimal("1250.00")
    values = {c.id: c.to_dict()["estimated_value"] for c in board.cards}
    assert values[ids["assigned"]] == Decimal("1000.00")


async def test_filters_and_search(world: World) -> None:
    ids = await _busy(world)
    p = world.principals["dispatcher"]

    async def found(**kw: object) -> set[int]:
        return {c.id for c in (await load_board(p, world.home, filters=CardFilters(**kw))).cards}

    assert await found(unassigned_only=True) == {ids["open"]}
    assert await found(data_source=DataSource.SMARTMOVING) == {ids["open"]}
    assert await found(statuses=frozenset({JourneyStatus.CANCELLED})) == {ids["cancelled"]}
    assert await found(search="maple") == {ids["open"]}
    assert await found(search="777001") == {ids["open"]}
    assert await found(search="alice") == {ids["assigned"]}
    assert await found(search=f"#{ids['assigned']}") == {ids["assigned"]}
    assert await found(search="100%_") == set()


async def test_scope_of_boards_and_lists(world: World) -> None:
    ids = await _busy(world)
    with pytest.raises(NotFound):
        await load_board(world.principals["dispatcher"], world.away)
    with pytest.raises(NotFound):
        await journey_detail(world.principals["dispatcher"], ids["elsewhere"])
    listed = await active_journeys(world.principals["dispatcher"])
    assert {c.id for c in listed.items} == {ids["assigned"], ids["open"]} and listed.total == 2
    everything = await active_journeys(world.principals["admin"], page_size=1000)
    assert everything.total == 3 and everything.page_size == 100
    second = await active_journeys(world.principals["admin"], page=2, page_size=2)
    assert len(second.items) == 1
    assert (await active_journeys(world.principals["driver"])).items == (
        next(c for c in (await load_board(world.principals["driver"], world.home)).cards),)


async def test_today_is_each_locations_own_today(world: World) -> None:
    async with unit_of_work() as s:
        far = Location(company_id=world.company_id, name="Kiribati", timezone="Pacific/Kiritimati")
        s.add(far)
        await s.flush()
        far_id = far.id
    board = await load_board(world.principals["admin"], far_id)
    assert board.today == datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert board.today == today_in("Pacific/Kiritimati") and board.today != today_in("Pacific/Pago_Pago")


async def test_timeline_rows_are_trucks_and_unassigned_are_aside(world: World) -> None:
    ids = await _busy(world)
    timeline = await load_timeline(world.principals["dispatcher"], world.home)
    rows = {r.number: [c.id for c in r.cards] for r in timeline.rows}
    assert rows == {"TOR-01": [ids["assigned"]], "TOR-02": []}
    assert [c.id for c in timeline.unassigned] == [ids["open"]]


async def test_company_overview_is_for_admins(world: World) -> None:
    await _busy(world)
    overview = await company_overview(world.principals["admin"])
    assert overview.locations == 2 and overview.today.total == 3
    assert overview.today.estimated_value == Decimal("1250.00")
    assert len(overview.per_day) == 14 and overview.per_day[-1].day == world.today
    assert (overview.per_day[-1].smartmoving, overview.per_day[-1].manual) == (1, 2)
    with pytest.raises(Forbidden):
        await company_overview(world.principals["dispatcher"])


async def test_journey_detail_has_phases_and_audit_only_for_auditors(world: World) -> None:
    ids = await _busy(world)
    detail = await journey_detail(world.principals["auditor"], ids["assigned"])
    assert [s.position for s in detail.steps] == [1, 2, 3, 4, 5, 6]
    assert detail.audit is not None and [a.action for a in detail.audit] == ["journey.assign", "journey.create"]
    assert (await journey_detail(world.principals["dispatcher"], ids["assigned"])).audit is None


@pytest.mark.parametrize("jobs", [5, 100])
async def test_the_board_reads_in_a_fixed_number_of_queries(db: str, jobs: int) -> None:
    async with unit_of_work() as s:
        busy = await seed_busy_location(s, jobs, "x")
    async with read_session() as s:
        principal = await load_principal(s, busy.dispatcher_id)
    assert principal is not None
    with record_sql(get_engine()) as statements:
        board = await load_board(principal, busy.location_id, busy.day)
    assert len(board.cards) == jobs
    assert sum(1 for c in board.cards if c.crew) == jobs - len(range(0, jobs, 10))
    assert len(statements) == 5, statements
