"""The clock events a crew member makes on a journey's day, in words, and which may come next.

Per person and journey: START_OF_DAY first; then the journey's milestones in order (arrival at
pickup, departure, arrival at delivery — one may be skipped, none repeated or taken back); breaks
(start, then end) at any time between start and end of day; END_OF_DAY last, never during a break.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from db.enums import ClockKind

LABELS: dict[ClockKind, str] = {
    ClockKind.START_OF_DAY: "Start of day",
    ClockKind.ARRIVED_PICKUP: "Arrived at pickup",
    ClockKind.DEPARTED_PICKUP: "Left pickup",
    ClockKind.ARRIVED_DELIVERY: "Arrived at delivery",
    ClockKind.BREAK_START: "Break started",
    ClockKind.BREAK_END: "Break ended",
    ClockKind.END_OF_DAY: "End of day",
}
#: What the big button says for the next event.
ACTIONS: dict[ClockKind, str] = {
    ClockKind.START_OF_DAY: "Start the day",
    ClockKind.ARRIVED_PICKUP: "Arrived at pickup",
    ClockKind.DEPARTED_PICKUP: "Leaving pickup",
    ClockKind.ARRIVED_DELIVERY: "Arrived at delivery",
    ClockKind.BREAK_START: "Start a break",
    ClockKind.BREAK_END: "End the break",
    ClockKind.END_OF_DAY: "End the day",
}
#: The day's milestones in their order.
MILESTONES: tuple[ClockKind, ...] = (ClockKind.START_OF_DAY, ClockKind.ARRIVED_PICKUP, ClockKind.DEPARTED_PICKUP,
                                     ClockKind.ARRIVED_DELIVERY, ClockKind.END_OF_DAY)


class DayState:
    """Where one person's day on one journey stands, after the events so far (in time order)."""

    def __init__(self, kinds: Iterable[ClockKind] = ()) -> None:
        self.milestone = -1  # index in MILESTONES of the last milestone reached
        self.on_break = False
        for kind in kinds:
            self.apply(kind)

    @property
    def started(self) -> bool:
        return self.milestone >= 0

    @property
    def ended(self) -> bool:
        return self.milestone == len(MILESTONES) - 1

    def refusal(self, kind: ClockKind) -> str | None:
        """Why `kind` cannot come next, in words; None when it can."""
        if self.ended:
            return "the day is already ended"
        if kind is ClockKind.START_OF_DAY:
            return "the day is already started" if self.started else None
        if not self.started:
            return "start the day first"
        if kind is ClockKind.BREAK_START:
            return "a break is already running" if self.on_break else None
        if kind is ClockKind.BREAK_END:
            return None if self.on_break else "no break is running"
        if self.on_break:
            return "end the break first"
        if MILESTONES.index(kind) <= self.milestone:
            return f"{LABELS[kind].lower()} is already clocked"
        return None

    def apply(self, kind: ClockKind) -> None:
        if kind is ClockKind.BREAK_START:
            self.on_break = True
        elif kind is ClockKind.BREAK_END:
            self.on_break = False
        else:
            self.milestone = max(self.milestone, MILESTONES.index(kind))

    def next_expected(self) -> ClockKind | None:
        """The common next event (the big button); None once the day is ended."""
        if self.ended:
            return None
        if self.on_break:
            return ClockKind.BREAK_END
        return MILESTONES[self.milestone + 1]

    def also_possible(self) -> tuple[ClockKind, ...]:
        """The other events that may come next (the smaller buttons), in the day's order."""
        expected = self.next_expected()
        order = (*MILESTONES[:-1], ClockKind.BREAK_START, ClockKind.BREAK_END, ClockKind.END_OF_DAY)
        return tuple(k for k in order if k is not expected and self.refusal(k) is None)


def day_bounds(work_date: date) -> tuple[date, date]:
    """The local days a clock event of a journey of `work_date` may fall on (a night job runs past
    midnight; a job's crew may start the evening before)."""
    return work_date - timedelta(days=1), work_date + timedelta(days=1)


def day_words(day: date) -> str:
    """`Sun 29 Nov 2026`."""
    return f"{day:%a} {day.day} {day:%b %Y}"
