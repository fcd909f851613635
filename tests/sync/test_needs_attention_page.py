"""The board shows the "Needs attention" entries of its location: old → new, what was released;
nothing of another location, nothing once resolved."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User
from sqlalchemy import select

from db.models import Journey, JourneyAttention, utcnow
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import sign_in
from tests.sync.conftest import principal_for


@pytest.fixture
async def flagged(demo: str) -> dict[str, Any]:
    """One open entry and one resolved one on journeys of the dispatcher's first location (made
    before the app under test starts)."""
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    location_id = min(dispatcher.scoped_location_ids)
    async with unit_of_work() as session:
        journeys = list(await session.scalars(select(Journey).where(Journey.location_id == location_id)
                                              .order_by(Journey.journey_date, Journey.id).limit(3)))
        flagged, resolved, _ = journeys
        session.add(JourneyAttention(
            company_id=flagged.company_id, location_id=location_id, journey_id=flagged.id, kind="CONFLICT",
            reason="the new time overlaps the truck's booking on Ann Lee (J-7), 9:00–12:00",
            changes={"scheduled_start": ["2026-11-20T14:00:00+00:00", "2026-11-20T17:00:00+00:00"]},
            released={"truck_id": 3, "crew_user_ids": [4]}))
        session.add(JourneyAttention(
            company_id=resolved.company_id, location_id=location_id, journey_id=resolved.id, kind="CANCELLED",
            reason="cancelled in SmartMoving", changes={}, released={}, resolved_at=utcnow()))
    return {"location_id": location_id, "day": flagged.journey_date, "open": flagged.id, "resolved": resolved.id}


async def test_the_board_lists_what_needs_attention_at_its_location(flagged: dict[str, Any], user: User) -> None:
    await sign_in(user, "dispatcher@demo.ccrm")
    await user.open(f"/dashboard?location={flagged['location_id']}&day={flagged['day'].isoformat()}")
    await user.should_see("Needs attention (1)")
    await user.should_see(marker=f"attention-{flagged['open']}")
    await user.should_see(content="truck and crew released")
    # in words and in the branch's zone (Toronto: UTC-5 in November), never ISO
    await user.should_see(content="start 09:00 → 12:00")
    await user.should_not_see(content="2026-11-20T")
    await user.should_not_see(marker=f"attention-{flagged['resolved']}")


async def test_mark_handled_takes_the_entry_off_the_board(flagged: dict[str, Any], user: User) -> None:
    await sign_in(user, "dispatcher@demo.ccrm")
    await user.open(f"/board?location={flagged['location_id']}&day={flagged['day'].isoformat()}")
    async with read_session() as session:
        entry_id = await session.scalar(select(JourneyAttention.id).where(
            JourneyAttention.journey_id == flagged["open"]))
    user.find(marker=f"resolve-attention-{entry_id}").click()
    await user.should_see("Marked handled")
    await user.should_not_see(marker=f"attention-{flagged['open']}")
    async with read_session() as session:
        handled = await session.get_one(JourneyAttention, entry_id)
    assert handled.resolved_at is not None


async def test_an_auditor_reads_the_list_but_cannot_mark_it_handled(flagged: dict[str, Any], user: User) -> None:
    await sign_in(user, "auditor@demo.ccrm")
    await user.open(f"/board?location={flagged['location_id']}&day={flagged['day'].isoformat()}")
    await user.should_see(marker=f"attention-{flagged['open']}")
    await user.should_not_see("Mark handled")
