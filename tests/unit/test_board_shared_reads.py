"""Board reads shared between the pages that show the same thing (issue 18): concurrent equal
reads run once, the refreshes of one change take one read even a few at a time, and a shared
read never crosses scopes — a dispatcher never gets a manager's money, nor another branch's cards."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from bench.seeding import record_sql
from db.session import get_engine
from db.enums import Role
from domain.access.rbac import Principal, location_view_class
from domain.board.views import board_attention, board_card, board_stats, load_board, shared_reads
from domain.errors import NotFound
from domain.events.bus import bus
from domain.journeys.edit import JourneyDraft, create_journey
from domain.runtime.shared_reads import live_refresh
from tests.journey_world import World, make_world


@pytest.fixture
async def world(db: str) -> World:
    world = await make_world()
    manager = world.principals["manager"]
    for name, value in (("Ada Shared", "1200"), ("Ben Shared", "800")):
        await create_journey(manager, JourneyDraft(world.home, world.today, name, estimated_value=Decimal(value)))
    return world


async def test_forty_pages_asking_at_once_make_one_read(world: World) -> None:
    dispatcher = world.principals["dispatcher"]
    alone = await board_stats(dispatcher, world.home, world.today)
    made, shared = shared_reads.made, shared_reads.shared
    with record_sql(get_engine()) as statements:
        results = await asyncio.gather(*(board_stats(dispatcher, world.home, world.today) for _ in range(40)))
    assert all(r == alone for r in results)
    assert (shared_reads.made - made, shared_reads.shared - shared) == (1, 39)
    assert len(statements) == 2  # the location and the stats: one read's statements, not forty

    after = await board_stats(dispatcher, world.home, world.today)  # nothing is kept once it is done
    assert after == alone and shared_reads.made - made == 2


async def test_the_refreshes_of_one_change_take_one_read_and_the_next_change_is_read_again(world: World) -> None:
    dispatcher, manager = world.principals["dispatcher"], world.principals["manager"]
    before = await board_stats(dispatcher, world.home, world.today)
    journey = (await load_board(dispatcher, world.home)).cards[0]
    made, reused = shared_reads.made, shared_reads.reused
    with record_sql(get_engine()) as statements:
        for _ in range(150):  # 150 boards refreshed a few at a time, after the same newest event
            with live_refresh(bus.serial):
                await board_stats(dispatcher, world.home, world.today)
                await board_card(dispatcher, journey.id, world.home, world.today)
                await board_attention(dispatcher, world.home)
    # the stats read of `before` started after the newest event too: it serves them all
    assert (shared_reads.made - made, shared_reads.reused - reused) == (2, 448)
    assert len(statements) < 10  # two reads' statements, not 450 reads'

    await create_journey(manager, JourneyDraft(world.home, world.today, "Cy Later", estimated_value=Decimal("5")))
    with live_refresh(bus.serial):  # the creation's event: a read that started before it will not do
        after = await board_stats(dispatcher, world.home, world.today)
    assert after.total == before.total + 1 and shared_reads.made - made == 3


async def test_a_shared_read_never_hands_money_to_a_dispatcher(world: World) -> None:
    dispatcher, manager, admin = (world.principals[k] for k in ("dispatcher", "manager", "admin"))
    assert location_view_class(dispatcher) != location_view_class(manager) == location_view_class(admin)
    boards = await asyncio.gather(*(load_board(p, world.home) for p in (manager, dispatcher, admin, dispatcher)))
    by_manager, by_dispatcher, by_admin, again = boards
    assert by_manager.stats.estimated_value == Decimal("2000.00") == by_admin.stats.estimated_value
    assert by_dispatcher.stats.estimated_value is None and again.stats.estimated_value is None
    assert all(c.estimated_value is None for c in by_dispatcher.cards)
    assert {c.id for c in by_dispatcher.cards} == {c.id for c in by_manager.cards}


async def test_a_read_in_flight_for_a_branch_is_not_handed_to_another_branchs_dispatcher(world: World) -> None:
    home, ottawa = world.principals["dispatcher"], world.principals["ottawa_dispatcher"]
    assert location_view_class(home) == location_view_class(ottawa)  # same class: only the branch differs
    journey = (await load_board(home, world.home)).cards[0]
    results = await asyncio.gather(
        load_board(home, world.home), load_board(ottawa, world.home),
        board_card(home, journey.id, world.home, world.today), board_card(ottawa, journey.id, world.home, world.today),
        return_exceptions=True)
    board, refused, card, no_card = results
    assert not isinstance(board, BaseException) and journey.id in {c.id for c in board.cards}
    assert isinstance(refused, NotFound)
    assert card == journey and no_card is None


async def test_crew_read_alone(world: World) -> None:
    assert location_view_class(world.principals["driver"]) is None


async def test_one_event_refreshing_every_role_on_one_board_hands_each_its_own_view(world: World) -> None:
    """All the pages of a board refreshed for the same event, one after the other as the refresh
    slots allow, each taking what the others left: nobody gets another class's figures or cards."""
    p = world.principals
    super_admin = Principal(user_id=0, role=Role.SUPER_ADMIN, company_id=None)
    await create_journey(p["manager"], JourneyDraft(world.home, world.today, "Cy Event", estimated_value=Decimal("5")))
    journey = (await load_board(p["manager"], world.home)).cards[0]

    async def refresh(who: Principal) -> tuple[object, ...]:
        with live_refresh(bus.serial):
            return tuple(await asyncio.gather(
                load_board(who, world.home), board_stats(who, world.home, world.today),
                board_card(who, journey.id, world.home, world.today), return_exceptions=True))

    made = shared_reads.made
    order = ["manager", "dispatcher", "admin", "ottawa_dispatcher", "dispatcher", "auditor", "driver", "dispatcher"]
    seen = {name: await refresh(p[name]) for name in order}
    seen["super_admin"] = await refresh(super_admin)

    for name in ("manager", "admin", "auditor", "super_admin"):
        board, stats, card = seen[name]
        assert stats.estimated_value == Decimal("2005.00") == board.stats.estimated_value, name  # type: ignore[union-attr]
        assert card.estimated_value is not None, name  # type: ignore[union-attr]
    board, stats, card = seen["dispatcher"]
    assert stats.estimated_value is None and board.stats.estimated_value is None  # type: ignore[union-attr]
    assert card == replace(journey, estimated_value=None, shows_financials=False)
    assert all(c.estimated_value is None for c in board.cards)  # type: ignore[union-attr]
    assert {c.id for c in board.cards} == {c.id for c in seen["manager"][0].cards}  # type: ignore[union-attr]
    board, stats, card = seen["ottawa_dispatcher"]  # same class as the dispatcher, but not this branch
    assert isinstance(board, NotFound) and isinstance(stats, NotFound) and card is None
    board, stats, card = seen["driver"]  # crew: only their own journeys, never money
    assert card is None and not isinstance(board, BaseException) and board.cards == ()
    assert not isinstance(stats, BaseException) and stats.estimated_value is None
    # shared reads made: the financial class's stats and card (its board is the manager's read
    # above, which started after the event) and the dispatchers' class's three; the other branch's
    # dispatcher, the driver and the super admin read alone, outside the shared reads
    assert shared_reads.made - made == 2 + 3

