"""Company-wide figures for admins: today's jobs across every location (each in its own
timezone) and a chart of jobs per day over the last days, SmartMoving vs manual.

Kept live sparingly (issue 18). Its figures are company-wide, so every change anywhere in the
company reaches every admin's board, and a sync changes hundreds of journeys a minute; its read
covers the whole company (the heaviest of the board's reads); and it is a summary nobody reads to
the second. So a live batch re-reads it only if one of its events can change a figure (a note, a
recorded step or a clock-in cannot), at the next multiple of `REFRESH_SECONDS` on the loop's
clock, and the panel is updated in place, not redrawn. The common tick makes every admin page of
the instance read at the same moment, so they share one read (`company_overview` is shared per
view class): during a sync, 150 admin boards each reading the whole company every few seconds on
their own would queue more reads than the refresh slots serve, and the boards' own reads would
wait behind them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from nicegui import background_tasks, context, ui

from components.board.stats_tiles import StatsTiles
from domain.access.rbac import Principal
from domain.board.views import CHART_DAYS, CompanyOverview, company_overview
from domain.events.bus import DomainEvent, EventType
from domain.runtime.shared_reads import freshness, live_refresh

#: Seconds between two live re-reads of the panels (a common tick for all of them).
REFRESH_SECONDS = 5.0
#: Events that may change the figures (counts by status, source, day and assignment; the value).
COUNTED_EVENTS = frozenset({
    EventType.JOURNEY_CREATED, EventType.JOURNEY_CANCELLED, EventType.CREW_ASSIGNED, EventType.TRUCK_ASSIGNED,
    EventType.PHASE_STARTED, EventType.PHASE_COMPLETED, EventType.PHASE_APPROVED, EventType.PHASE_REJECTED,
    EventType.JOURNEYS_SYNCED,
})
#: Journey columns the figures count; a `journey.changed` naming none of them changes nothing here.
COUNTED_FIELDS = frozenset({"journey_date", "status", "estimated_value", "location_id", "truck_id", "data_source"})


def changes_overview(event: DomainEvent) -> bool:
    """Whether the event may change a figure of the panel (when in doubt, yes)."""
    if event.type is EventType.JOURNEY_CHANGED:
        fields = event.data.get("fields")
        return not isinstance(fields, list) or bool(COUNTED_FIELDS.intersection(fields))
    return event.type in COUNTED_EVENTS


def _chart(overview: CompanyOverview) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["SmartMoving", "Manual"], "top": 0},
        "grid": {"left": 32, "right": 8, "top": 28, "bottom": 24},
        "xAxis": {"type": "category", "data": [f"{d.day:%d %b}" for d in overview.per_day]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "SmartMoving", "type": "bar", "stack": "jobs", "color": "#1976d2",
             "data": [d.smartmoving for d in overview.per_day]},
            {"name": "Manual", "type": "bar", "stack": "jobs", "color": "#9e9e9e",
             "data": [d.manual for d in overview.per_day]},
        ],
    }


def _title(overview: CompanyOverview) -> str:
    return f"Company today · {overview.locations} locations"


class CompanyOverviewPanel:
    """The panel, built in the current container by `create`; `follow(events)` keeps it live."""

    def __init__(self, principal: Principal, overview: CompanyOverview,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.principal, self.overview, self.clock = principal, overview, clock
        self.client = context.client
        self.waiting = False
        #: The serial of the newest event it was told of (its next read must have started after it).
        self.told = 0
        with ui.expansion(_title(overview), icon="apartment", value=True).classes("w-full").props(
                'dense header-class="text-subtitle1" data-testid="company-overview"') as self.expansion:
            with ui.row().classes("w-full no-wrap gap-4 items-stretch"):
                with ui.column().classes("flex-1 gap-2"):
                    self.tiles = StatsTiles(overview.today, prefix="company")
                self.chart = ui.echart(_chart(overview)).classes("flex-1 h-52 min-w-[320px]").props(
                    f'data-testid="jobs-chart" role=img aria-label="Jobs per day, last {CHART_DAYS} days"').mark(
                    "jobs-chart")

    @classmethod
    async def create(cls, principal: Principal) -> CompanyOverviewPanel:
        return cls(principal, await company_overview(principal))

    def follow(self, events: Sequence[DomainEvent]) -> None:
        """A live batch: re-read at the next tick, or not at all, as the module docstring says."""
        if not any(changes_overview(e) for e in events):
            return
        told = freshness()
        if told is not None:
            self.told = max(self.told, told.serial)
        if self.waiting:
            return
        self.waiting = True
        now = self.clock()
        tick = (now // REFRESH_SECONDS + 1) * REFRESH_SECONDS
        background_tasks.create(self._at_tick(tick - now), name="company overview")

    async def _at_tick(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.waiting = False
        if not self.client.is_deleted:
            with live_refresh(self.told):
                await self.refresh()

    async def refresh(self) -> None:
        overview = await company_overview(self.principal)
        if overview == self.overview:
            return
        self.overview = overview
        self.expansion.set_text(_title(overview))
        self.tiles.update(overview.today)
        self.chart.options.clear()
        self.chart.options.update(_chart(overview))
        self.chart.update()
