"""What an event may have changed, as precisely as it says it — one answer for single-journey
events and for a sync's batch — and whose screens it may concern.

A sync write batch publishes ONE `journeys.synced` event for all the journeys it wrote (issue 18:
a 2,000-job sync used to publish 1,341 events, each reaching every open page and crossing the
relay as its own NOTIFY and event-log row). The batch names what it touched at the finest
granularity that fits a NOTIFY payload (`bus.MAX_WIRE_BYTES`), in `data`:

1. `"journeys"`: per branch and day, the journey ids — `[[location_id, day, [id, ...]], ...]`;
2. `"days"`: per branch, its days — `[[location_id, [day, ...]], ...]`;
3. `"locations"`: the branches;
4. nothing: anywhere in its company.

Days are counted from `data["first"]` ("YYYY-MM-DD"), the batch's earliest: a 2,000-job sync of
50 branches over a 14-day window still names its branches and days in about 2.5 kB.

A journey the batch moved counts on its old branch and day as well as its new ones, so a page
showing the old day loses the card. The crew of the touched journeys (members the change released
included) are the event's `user_ids`; when they do not fit, `data["any_crew"]` says that any crew
member may be concerned. `data["needs_attention"]` lists the journeys a change flagged (or is
`true` when the list was dropped; `false` if none), `data["count"]` is the number of journeys written.

A page asks `touched(event)` its own question (this journey? this branch and day?) and refreshes
once per batch when the answer is yes, and not at all otherwise. A coarser batch only makes some
pages re-read for nothing; it never makes one miss a change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.access.rbac import Principal, sees_journey_of
from domain.events.bus import DomainEvent, EventTooLarge, EventType

Place = tuple[int, date]


@dataclass(frozen=True, slots=True)
class Touched:
    """What an event may have changed; None where it does not say (anything of its company)."""

    location_ids: frozenset[int] | None
    #: (branch, day) pairs; None when the event does not name days.
    days: frozenset[Place] | None
    journey_ids: frozenset[int] | None
    #: The journeys per (branch, day), when the event names both.
    by_day: Mapping[Place, frozenset[int]] | None = None

    def journey(self, journey_id: int, location_id: int | None = None, day: date | None = None) -> bool:
        """Whether this journey (at this branch and day, when the caller knows them) may have changed."""
        if self.journey_ids is not None:
            return journey_id in self.journey_ids
        if location_id is None:
            return True
        return self.any_day((location_id,), None if day is None else (day,))

    def day(self, location_id: int, day: date | None) -> bool:
        """Whether a journey of this branch on this day (any day: None) may have changed."""
        return self.any_day((location_id,), None if day is None else (day,))

    def any_day(self, location_ids: Collection[int], days: Collection[date] | None = None) -> bool:
        """Whether a journey of these branches (on these days, when given) may have changed."""
        if self.days is not None and days is not None:
            return any((location_id, day) in self.days for location_id in location_ids for day in days)
        if self.location_ids is not None:
            return not self.location_ids.isdisjoint(location_ids)
        return True

    def journeys_on(self, location_id: int, day: date) -> frozenset[int] | None:
        """The journeys of this branch and day that may have changed; None when the event does not
        say which (the page re-reads the whole day)."""
        if self.by_day is not None:
            return self.by_day.get((location_id, day), frozenset())
        if self.journey_ids is not None:  # a single journey's event: its day is not said
            return self.journey_ids if self.location_ids is None or location_id in self.location_ids else frozenset()
        return None if self.day(location_id, day) else frozenset()


NOTHING = Touched(frozenset(), frozenset(), frozenset(), {})
ANYTHING = Touched(None, None, None)


def touched(event: DomainEvent) -> Touched:
    """What `event` may have changed (nothing, for events about no journey)."""
    if event.type is EventType.JOURNEYS_SYNCED:
        return _batch(event)
    if event.journey_id is None:
        return NOTHING
    return Touched(None if event.location_id is None else frozenset((event.location_id,)), None,
                   frozenset((event.journey_id,)))


#: The last batch read, and what it touched: the bus hands one event to every open page in turn,
#: so each batch is parsed once, not once per page.
_last_batch: tuple[DomainEvent, Touched] | None = None


def _batch(event: DomainEvent) -> Touched:
    global _last_batch
    if _last_batch is not None and _last_batch[0] is event:
        return _last_batch[1]
    try:
        found = _parse(event.data)
    except (TypeError, ValueError):  # another instance's malformed batch: it may touch anything
        found = ANYTHING
    _last_batch = (event, found)
    return found


def _parse(data: Mapping[str, Any]) -> Touched:
    first = date.fromisoformat(data["first"]) if "first" in data else None
    if first is not None and "journeys" in data:
        by_day = {(int(location_id), first + timedelta(days=int(offset))): frozenset(int(i) for i in ids)
                  for location_id, offset, ids in data["journeys"]}
        return Touched(frozenset(location_id for location_id, _ in by_day), frozenset(by_day),
                       frozenset().union(*by_day.values()), by_day)
    if first is not None and "days" in data:
        days = frozenset((int(location_id), first + timedelta(days=int(offset)))
                         for location_id, offsets in data["days"] for offset in offsets)
        return Touched(frozenset(location_id for location_id, _ in days), days, None)
    if "locations" in data:
        return Touched(frozenset(int(location_id) for location_id in data["locations"]), None, None)
    return ANYTHING


def in_scope(event: DomainEvent, principal: Principal) -> bool:
    """Whether `principal` could care about `event` — a cheap pre-filter from the ids the event
    carries, mirroring `rbac.journey_scope`. Not an authorisation: what a screen then shows is
    re-read through the domain with the principal."""
    if event.type is not EventType.JOURNEYS_SYNCED:
        return sees_journey_of(principal, event.company_id, event.location_id, event.user_ids)
    crew = (principal.user_id,) if event.data.get("any_crew") else event.user_ids
    named = touched(event).location_ids
    locations: Iterable[int | None] = (None,) if named is None else named
    return any(sees_journey_of(principal, event.company_id, location_id, crew) for location_id in locations)


def concerns_user(event: DomainEvent, user_id: int) -> bool:
    """Whether `event` may concern this crew member's journeys (named, or a batch's crew not said)."""
    return user_id in event.user_ids or (event.type is EventType.JOURNEYS_SYNCED and bool(event.data.get("any_crew")))


@dataclass(frozen=True, slots=True)
class JourneyWrite:
    """One journey a sync batch wrote: where it is now, where it was if it moved, its crew."""

    journey_id: int
    location_id: int
    day: date
    crew: tuple[int, ...] = ()
    was: Place | None = None
    needs_attention: bool = False


def journeys_synced(company_id: int, writes: Sequence[JourneyWrite]) -> DomainEvent:
    """The one event of a sync write batch, naming what it touched as finely as the wire allows."""
    by_day: dict[Place, set[int]] = {}
    for write in writes:
        for place in ((write.location_id, write.day), write.was):
            if place is not None:
                by_day.setdefault(place, set()).add(write.journey_id)
    places = sorted(by_day)
    first = min((day for _, day in places), default=date.min)
    per_location: dict[int, list[int]] = {}
    for loc, day in places:
        per_location.setdefault(loc, []).append((day - first).days)
    flagged = sorted(w.journey_id for w in writes if w.needs_attention)
    crew = tuple(sorted({user_id for w in writes for user_id in w.crew}))
    #: From the finest to the coarsest: journey ids per branch and day, branches and days,
    #: branches, the company; each first with its crew named, then with any crew.
    shapes: list[dict[str, Any]] = [
        {"first": first.isoformat(), "journeys": [[loc, (day - first).days, sorted(by_day[(loc, day)])]
                                                  for loc, day in places], "needs_attention": flagged},
        {"first": first.isoformat(), "days": [[loc, offsets] for loc, offsets in per_location.items()],
         "needs_attention": bool(flagged)},
        {"locations": sorted(per_location), "needs_attention": bool(flagged)},
        {"needs_attention": bool(flagged)},
    ]
    tries = [(user_ids, {"count": len(writes), **shape, **extra})
             for shape in shapes for user_ids, extra in ((crew, {}), ((), {"any_crew": True}))]
    for user_ids, data in tries[:-1]:
        with contextlib.suppress(EventTooLarge):
            return DomainEvent(EventType.JOURNEYS_SYNCED, company_id, user_ids=user_ids, data=data)
    user_ids, data = tries[-1]  # a company-wide batch always fits
    return DomainEvent(EventType.JOURNEYS_SYNCED, company_id, user_ids=user_ids, data=data)
