"""A sync write batch is one `journeys.synced` event: it names what it touched as finely as fits the
NOTIFY payload, survives the wire, and answers each page's question (this journey? this branch
and day?) — never "no" for something it changed."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from db.enums import Role
from domain.access.rbac import Principal
from domain.events.bus import MAX_WIRE_BYTES, DomainEvent, EventType
from domain.events.touched import JourneyWrite, concerns_user, in_scope, journeys_synced, touched

COMPANY, HOME, ELSEWHERE, ME = 1, 10, 20, 500
DAY = date(2026, 12, 3)


def _on_the_wire(event: DomainEvent) -> DomainEvent:
    """What another instance receives: the event parsed back from its JSON."""
    wire = json.loads(event.to_json())
    wire["origin"] = "another-instance"
    return DomainEvent.from_json(json.dumps(wire))


def _company_day(journeys: int, locations: int, days: int, crew: int) -> list[JourneyWrite]:
    """A company's sync: `journeys` spread over branches and days, each with two of `crew` people."""
    return [JourneyWrite(100_000 + n, 1_000 + n % locations, DAY + timedelta(days=n // locations % days),
                         crew=(5_000 + n % crew, 5_000 + (n + 1) % crew))
            for n in range(journeys)]


def test_a_small_batch_names_each_journey_its_old_and_new_day_and_its_crew() -> None:
    writes = [JourneyWrite(1, HOME, DAY, crew=(ME,)),
              JourneyWrite(2, HOME, DAY + timedelta(days=1), crew=(7,), was=(HOME, DAY), needs_attention=True),
              JourneyWrite(3, ELSEWHERE, DAY)]
    event = _on_the_wire(journeys_synced(COMPANY, writes))
    seen = touched(event)
    assert event.type is EventType.JOURNEYS_SYNCED and event.data["count"] == 3
    assert event.user_ids == (7, ME) and event.data["needs_attention"] == [2]
    assert seen.journeys_on(HOME, DAY) == {1, 2}  # journey 2 left this day: its old board loses the card
    assert seen.journeys_on(HOME, DAY + timedelta(days=1)) == {2}
    assert seen.journeys_on(ELSEWHERE, DAY + timedelta(days=1)) == frozenset()
    assert seen.journey(3) and not seen.journey(4)
    assert seen.day(ELSEWHERE, DAY) and not seen.day(ELSEWHERE, DAY + timedelta(days=1))
    assert seen.any_day((ELSEWHERE, 99), (DAY - timedelta(days=1), DAY)) and not seen.any_day((99,), (DAY,))


@pytest.mark.parametrize(("journeys", "locations", "days", "crew", "level"), [
    (400, 10, 2, 300, "journeys"),
    (2_000, 50, 14, 300, "days"),  # the company: names its branches and days, not each journey
    (2_000, 1_000, 2, 300, "locations"),  # 1,000 branches' days do not fit either
])
def test_a_large_batch_fits_the_wire_at_a_coarser_granularity_that_still_covers_every_change(
        journeys: int, locations: int, days: int, crew: int, level: str) -> None:
    writes = _company_day(journeys, locations, days, crew)
    made = journeys_synced(COMPANY, writes)
    assert len(made.to_json().encode()) <= MAX_WIRE_BYTES
    event = _on_the_wire(made)
    assert level in event.data and event.data["count"] == journeys
    seen = touched(event)
    assert all(seen.journey(w.journey_id, w.location_id, w.day) for w in writes)
    assert all(seen.day(w.location_id, w.day) for w in writes)
    assert all((on := seen.journeys_on(w.location_id, w.day)) is None or w.journey_id in on for w in writes)
    assert not seen.day(99_999, DAY)  # a branch the sync did not touch ignores it
    assert set(event.user_ids) == {5_000 + n for n in range(crew)}  # 300 people still fit


def test_when_even_the_branches_do_not_fit_any_page_of_the_company_may_be_concerned() -> None:
    writes = [JourneyWrite(n, 10**9 + n, DAY, crew=(10**9 + n,)) for n in range(2_000)]
    event = _on_the_wire(journeys_synced(COMPANY, writes))
    assert event.data.get("any_crew") is True and event.user_ids == ()
    assert touched(event).day(12345, DAY) and touched(event).journey(1)
    assert concerns_user(event, 42)
    driver = Principal(user_id=42, role=Role.DRIVER, company_id=COMPANY)
    assert in_scope(event, driver)
    assert not in_scope(event, Principal(user_id=42, role=Role.DRIVER, company_id=COMPANY + 1))


def test_a_batch_reaches_the_pages_of_the_branches_and_crew_it_touched_only() -> None:
    event = journeys_synced(COMPANY, [JourneyWrite(1, HOME, DAY, crew=(ME,))])
    dispatcher_here = Principal(user_id=1, role=Role.DISPATCHER, company_id=COMPANY,
                                assigned_location_ids=frozenset({HOME}))
    dispatcher_elsewhere = Principal(user_id=2, role=Role.DISPATCHER, company_id=COMPANY,
                                     assigned_location_ids=frozenset({ELSEWHERE}))
    assert in_scope(event, dispatcher_here) and not in_scope(event, dispatcher_elsewhere)
    assert in_scope(event, Principal(user_id=ME, role=Role.MOVER, company_id=COMPANY))
    assert not in_scope(event, Principal(user_id=ME + 1, role=Role.MOVER, company_id=COMPANY))
    assert concerns_user(event, ME) and not concerns_user(event, ME + 1)


def test_events_about_no_journey_touch_nothing_and_a_single_journeys_event_touches_it() -> None:
    progress = touched(DomainEvent(EventType.SYNC_PROGRESS, COMPANY, data={"run_id": 1}))
    assert not progress.day(HOME, DAY) and not progress.journey(1) and progress.journeys_on(HOME, DAY) == set()
    one = touched(DomainEvent(EventType.JOURNEY_CHANGED, COMPANY, HOME, 7))
    assert one.day(HOME, DAY) and one.day(HOME, None) and not one.day(ELSEWHERE, DAY)
    assert one.journeys_on(HOME, DAY) == {7} and one.journeys_on(ELSEWHERE, DAY) == set()
    assert one.journey(7) and not one.journey(8)


def test_a_malformed_batch_from_another_instance_may_touch_anything() -> None:
    event = DomainEvent(EventType.JOURNEYS_SYNCED, COMPANY, data={"first": "not a day", "journeys": [["x", 0, []]]})
    assert touched(event).day(HOME, DAY) and touched(event).journeys_on(HOME, DAY) is None
