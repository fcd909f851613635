"""Clocking on the crew's phone: one tap clocks the tapper, or (driver or foreman) the whole crew
of the journey. Made for an outbox that delivers late and twice:

- the tap carries a client-made key; it is stored with every row it wrote (unique per person),
  and a tap whose key was seen before returns the original result without writing again (a
  race of two deliveries ends the same way, through the unique constraint);
- the phone's time (`made_at`) is the recorded time, bounded to the last 24 hours before the
  server's time (never in the future); the skew (server − phone, seconds) goes into the audit entry;
- a person whose day is approved, or for whom the event cannot come next (`kinds.DayState`), is
  skipped with the reason; a tap that clocks nobody is refused (409) with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ClockKind, CrewRole
from db.models import ClockEvent, TimesheetApproval, User, utcnow
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.crew_time.kinds import ACTIONS, LABELS, DayState, day_bounds, day_words
from domain.crew_time.schemas import ClockTap
from domain.errors import Conflict, Forbidden
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.access import load_journey
from domain.timewindow import as_utc, local_time
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.access import refuse_if_cancelled
from domain.workflow.stamps import bounded_time

#: Crew roles that clock the whole crew with one tap.
LEADS = frozenset({CrewRole.DRIVER, CrewRole.FOREMAN})


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    name: str
    event_id: int | None = None
    #: Why this person was not clocked (None: clocked).
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ClockResult:
    journey_id: int
    kind: ClockKind
    at: datetime
    client_key: str | None
    clocked: tuple[Person, ...]
    skipped: tuple[Person, ...]
    #: Server time − phone time, in seconds (None without a phone time).
    skew_seconds: float | None
    #: True when the key was seen before: nothing was written this time.
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"journey_id": self.journey_id, "kind": self.kind.value, "label": LABELS[self.kind],
                "at": self.at.isoformat(), "client_key": self.client_key, "replayed": self.replayed,
                "skew_seconds": self.skew_seconds,
                "clocked": [{"user_id": p.user_id, "name": p.name, "event_id": p.event_id} for p in self.clocked],
                "skipped": [{"user_id": p.user_id, "name": p.name, "reason": p.reason} for p in self.skipped]}


def tap_time(made_at: datetime | None, now: datetime) -> tuple[datetime, float | None]:
    """The time to record for a tap made at `made_at` (phone) and received at `now` (server), bounded
    as every outbox action's (`domain/workflow/stamps.py`), and the skew."""
    if made_at is None:
        return now, None
    phone = as_utc(made_at)
    assert phone is not None
    return bounded_time(phone, now), round((now - phone).total_seconds(), 3)


@audited_write
async def clock(principal: Principal, journey_id: int, tap: ClockTap | dict[str, Any], *,
                now: datetime | None = None) -> ClockResult:
    """Record one tap of a crew member of the journey (`now`: the server's time, for tests)."""
    principal.require(Permission.USE_CREW_APP)
    checked = ClockTap.parse(tap)
    received = as_utc(now) or utcnow()
    try:
        async with unit_of_work() as session:
            if checked.client_key and (seen := await _replay(session, principal, journey_id, checked)):
                return seen
            return await _clock(session, principal, journey_id, checked, received)
    except IntegrityError:  # the key is a person's already: the same tap's other delivery, or another tap
        async with read_session() as session:
            seen = await _replay(session, principal, journey_id, checked)
        if seen is None:
            raise Conflict("this client key was already used for another clock event") from None
        return seen


async def _clock(session: AsyncSession, principal: Principal, journey_id: int, tap: ClockTap,
                 received: datetime) -> ClockResult:
    journey, location = await load_journey(session, principal, journey_id, for_update=True, with_crew=True)
    # a delivery of the same key that held the journey's lock before this one has written it meanwhile
    if tap.client_key and (seen := await _replay(session, principal, journey_id, tap)):
        return seen
    refuse_if_cancelled(journey)
    roles = {a.user_id: a.role for a in journey.crew}
    if principal.user_id not in roles:
        raise Forbidden("only the crew of this journey clocks on it")
    if tap.whole_crew and roles[principal.user_id] not in LEADS:
        raise Forbidden("only the driver or the foreman clocks the whole crew; clock yourself")
    targets = sorted(roles) if tap.whole_crew else [principal.user_id]
    names = dict((await session.execute(
        select(User.id, User.full_name).where(User.id.in_(targets)))).tuples().all())
    approved = set((await session.scalars(select(TimesheetApproval.user_id).where(
        TimesheetApproval.user_id.in_(targets), TimesheetApproval.work_date == journey.journey_date))).all())
    states = await _day_states(session, journey_id, targets)
    at, skew = tap_time(tap.made_at, received)
    local = local_time(at, location.timezone)
    assert local is not None
    first, last = day_bounds(journey.journey_date)
    if not first <= local.date() <= last:
        raise Conflict(f"this journey is on {day_words(journey.journey_date)}: clock on that day's journey")
    position = tap.position
    clocked: list[Person] = []
    skipped: list[Person] = []
    rows: list[tuple[int, ClockEvent]] = []
    for user_id in targets:
        reason = ("the day's timesheet is approved: ask the office for a correction" if user_id in approved
                  else states[user_id].refusal(tap.kind))
        if reason:
            skipped.append(Person(user_id, names.get(user_id, ""), reason=reason))
            continue
        row = ClockEvent(company_id=journey.company_id, location_id=journey.location_id, journey_id=journey.id,
                         user_id=user_id, work_date=journey.journey_date, kind=tap.kind, at=at,
                         made_at=as_utc(tap.made_at), received_at=received, client_key=tap.client_key,
                         recorded_by_id=principal.user_id,
                         lat=position.lat if position else None, lng=position.lng if position else None,
                         accuracy_m=position.accuracy_m if position else None)
        session.add(row)
        rows.append((user_id, row))
    if not rows:
        mine = next((p for p in skipped if p.user_id == principal.user_id), skipped[0])
        raise Conflict(f"{ACTIONS[tap.kind]}: {mine.reason}", details={"skipped": [
            {"user_id": p.user_id, "reason": p.reason} for p in skipped]})
    await session.flush()
    clocked = [Person(user_id, names.get(user_id, ""), row.id) for user_id, row in rows]
    audit.record(session, principal, "clock", "journey", journey.id, new={
        "kind": tap.kind, "at": at, "made_at": tap.made_at, "received_at": received, "skew_seconds": skew,
        "client_key": tap.client_key, "clocked": [p.user_id for p in clocked],
        "skipped": {str(p.user_id): p.reason for p in skipped},
        "position": position.model_dump() if position else None})
    events.queue(session, DomainEvent(EventType.CLOCKED, journey.company_id, journey.location_id, journey.id,
                                      tuple(roles), {"kind": tap.kind.value}))
    return ClockResult(journey.id, tap.kind, at, tap.client_key, tuple(clocked), tuple(skipped), skew)


async def _day_states(session: AsyncSession, journey_id: int, user_ids: list[int]) -> dict[int, DayState]:
    rows = (await session.execute(
        select(ClockEvent.user_id, ClockEvent.kind).where(ClockEvent.journey_id == journey_id,
                                                          ClockEvent.user_id.in_(user_ids))
        .order_by(ClockEvent.at, ClockEvent.id))).tuples().all()
    states = {user_id: DayState() for user_id in user_ids}
    for user_id, kind in rows:
        states[user_id].apply(kind)
    return states


async def _replay(session: AsyncSession, principal: Principal, journey_id: int, tap: ClockTap) -> ClockResult | None:
    """The original result of a tap whose key this principal already delivered (None: a new key)."""
    rows = (await session.execute(
        select(ClockEvent, User.full_name).join(User, User.id == ClockEvent.user_id)
        .where(ClockEvent.recorded_by_id == principal.user_id, ClockEvent.client_key == tap.client_key)
        .order_by(ClockEvent.user_id))).tuples().all()
    if not rows:
        return None
    first = rows[0][0]
    if first.journey_id != journey_id or first.kind is not tap.kind:
        raise Conflict("this client key was already used for another clock event")
    received, made = as_utc(first.received_at), as_utc(first.made_at)
    assert received is not None
    at = as_utc(first.at)
    assert at is not None
    skew = round((received - made).total_seconds(), 3) if made else None
    return ClockResult(journey_id, first.kind, at, tap.client_key,
                       tuple(Person(row.user_id, name, row.id) for row, name in rows), (), skew, replayed=True)
