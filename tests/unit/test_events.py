"""Domain events on the wire: JSON round trip, the NOTIFY size limit, origin, scope pre-filter,
and the sync-progress throttle."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.enums import Role
from domain.events.relay import ProgressThrottle
from domain.events.bus import INSTANCE_ID, MAX_WIRE_BYTES, DomainEvent, EventTooLarge, EventType
from domain.events.touched import in_scope
from domain.access.rbac import Principal

ids = st.integers(min_value=1, max_value=2**63 - 1)
json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
small_data = st.dictionaries(st.text(max_size=10), json_scalars | st.lists(json_scalars, max_size=5), max_size=6)


@given(
    type_=st.sampled_from(list(EventType)),
    company_id=st.none() | ids,
    location_id=st.none() | ids,
    journey_id=st.none() | ids,
    user_ids=st.lists(ids, max_size=20),
    data=small_data,
    origin=st.text(min_size=1, max_size=40),
)
def test_an_event_survives_the_wire_unchanged(
    type_, company_id, location_id, journey_id, user_ids, data, origin
) -> None:
    event = DomainEvent(type_, company_id, location_id, journey_id, tuple(user_ids), data, origin=origin)
    assert DomainEvent.from_json(event.to_json()) == event


def test_events_made_here_carry_this_instance_and_received_ones_do_not() -> None:
    here = DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 3)
    assert here.origin == INSTANCE_ID and here.is_local
    wire = json.loads(here.to_json())
    wire["origin"] = "other-instance"
    received = DomainEvent.from_json(json.dumps(wire))
    assert not received.is_local and received.journey_id == 3


def test_the_wire_limit_is_below_what_postgresql_accepts_and_is_enforced() -> None:
    assert MAX_WIRE_BYTES < 8000
    overhead = len(DomainEvent(EventType.JOURNEY_CHANGED, 1, data={"note": ""}).to_json().encode())
    fits = DomainEvent(EventType.JOURNEY_CHANGED, 1, data={"note": "x" * (MAX_WIRE_BYTES - overhead)})
    assert len(fits.to_json().encode()) == MAX_WIRE_BYTES
    with pytest.raises(EventTooLarge, match="over the 7900-byte limit"):
        DomainEvent(EventType.JOURNEY_CHANGED, 1, data={"note": "x" * (MAX_WIRE_BYTES - overhead + 1)})
    with pytest.raises(EventTooLarge):  # multi-byte characters count in bytes, as PostgreSQL counts them
        DomainEvent(EventType.JOURNEY_CHANGED, 1, data={"note": "é" * (MAX_WIRE_BYTES // 2)})
    with pytest.raises(EventTooLarge):
        DomainEvent(EventType.CREW_ASSIGNED, 1, user_ids=tuple(range(10**6, 10**6 + 1000)))


def test_data_that_is_not_plain_json_is_refused_when_the_event_is_made() -> None:
    with pytest.raises(TypeError):
        DomainEvent(EventType.JOURNEY_CHANGED, 1, data={"at": object()})


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        json.dumps({"v": 99, "origin": "x", "type": "journey.changed", "company_id": 1}),
        json.dumps({"v": 1, "origin": "x", "type": "journey.exploded", "company_id": 1}),
        json.dumps({"v": 1, "origin": "x", "type": "journey.changed", "company_id": "1"}),
        json.dumps({"v": 1, "origin": "x", "type": "journey.changed", "company_id": True}),
        json.dumps({"v": 1, "origin": "x", "type": "journey.changed", "company_id": 1, "data": [1]}),
        json.dumps({"v": 1, "type": "journey.changed", "company_id": 1}),
        json.dumps({"v": 1, "origin": "x", "company_id": 1}),
        json.dumps({"v": 1, "origin": "x", "type": "journey.changed", "company_id": 1, "user_ids": ["a"]}),
    ],
)
def test_malformed_wire_payloads_are_refused(payload: str) -> None:
    with pytest.raises(ValueError):
        DomainEvent.from_json(payload)


COMPANY, HOME, ELSEWHERE, ME = 1, 10, 20, 500


def _principal(role: Role, **kwargs) -> Principal:
    return Principal(user_id=ME, role=role, company_id=None if role is Role.SUPER_ADMIN else COMPANY, **kwargs)


@pytest.mark.parametrize(
    ("principal", "event", "expected"),
    [
        (_principal(Role.SUPER_ADMIN), DomainEvent(EventType.SYNC_FINISHED, None), True),
        (_principal(Role.SUPER_ADMIN), DomainEvent(EventType.JOURNEY_CHANGED, 2, ELSEWHERE, 1), True),
        (_principal(Role.ADMIN), DomainEvent(EventType.JOURNEY_CHANGED, COMPANY, ELSEWHERE, 1), True),
        (_principal(Role.ADMIN), DomainEvent(EventType.JOURNEY_CHANGED, 2, ELSEWHERE, 1), False),
        (_principal(Role.ADMIN), DomainEvent(EventType.SYNC_FINISHED, None), False),
        (_principal(Role.AUDITOR), DomainEvent(EventType.PHASE_APPROVED, COMPANY, ELSEWHERE, 1), True),
        (_principal(Role.DISPATCHER, assigned_location_ids=frozenset({HOME})),
         DomainEvent(EventType.JOURNEY_CREATED, COMPANY, HOME, 1), True),
        (_principal(Role.DISPATCHER, assigned_location_ids=frozenset({HOME})),
         DomainEvent(EventType.JOURNEY_CREATED, COMPANY, ELSEWHERE, 1), False),
        (_principal(Role.DISPATCHER, assigned_location_ids=frozenset({HOME})),
         DomainEvent(EventType.SYNC_FINISHED, COMPANY), True),
        (_principal(Role.MANAGER, managed_location_ids=frozenset({HOME})),
         DomainEvent(EventType.PHASE_COMPLETED, COMPANY, HOME, 1), True),
        (_principal(Role.MANAGER, managed_location_ids=frozenset({HOME})),
         DomainEvent(EventType.PHASE_COMPLETED, COMPANY, ELSEWHERE, 1), False),
        (_principal(Role.DRIVER), DomainEvent(EventType.CREW_ASSIGNED, COMPANY, HOME, 1, user_ids=(ME, 7)), True),
        (_principal(Role.DRIVER), DomainEvent(EventType.CREW_ASSIGNED, COMPANY, HOME, 1, user_ids=(7,)), False),
        (_principal(Role.MOVER), DomainEvent(EventType.CREW_ASSIGNED, 2, HOME, 1, user_ids=(ME,)), False),
    ],
)
def test_scope_pre_filter(principal: Principal, event: DomainEvent, expected: bool) -> None:
    assert in_scope(event, principal) is expected


def _progress(run_id: int, processed: int, company_id: int = COMPANY) -> DomainEvent:
    return DomainEvent(EventType.SYNC_PROGRESS, company_id, data={"run_id": run_id, "processed": processed})


def test_sync_progress_is_rate_limited_per_run_latest_wins() -> None:
    throttle = ProgressThrottle(interval=0.5)
    assert throttle.offer(_progress(1, 10), now=100.0)  # the first goes at once
    assert not throttle.offer(_progress(1, 20), now=100.1)
    assert not throttle.offer(_progress(1, 30), now=100.2)  # replaces 20
    assert throttle.offer(_progress(2, 5), now=100.2)  # another run has its own budget
    assert throttle.offer(DomainEvent(EventType.JOURNEY_CHANGED, COMPANY, 1, 1), now=100.2)  # others pass
    assert throttle.due(now=100.4) == []
    assert throttle.seconds_to_next(now=100.4) == pytest.approx(0.1)
    assert [e.data["processed"] for e in throttle.due(now=100.5)] == [30]
    assert throttle.seconds_to_next(now=100.5) is None
    assert not throttle.offer(_progress(1, 40), now=100.6)  # interval counts from the last send (100.5)
    assert throttle.offer(_progress(1, 50), now=101.0)


def test_a_finished_sync_drops_its_held_progress() -> None:
    throttle = ProgressThrottle(interval=0.5)
    assert throttle.offer(_progress(1, 10), now=0.0)
    assert not throttle.offer(_progress(1, 20), now=0.1)
    assert throttle.offer(DomainEvent(EventType.SYNC_FINISHED, COMPANY, data={"run_id": 1}), now=0.2)
    assert throttle.due(now=5.0) == []
    assert throttle.offer(_progress(1, 1), now=0.3)  # a new run with the same id starts fresh
