"""Company-wide figures for admins: today's jobs across every location (each in its own
timezone) and a chart of jobs per day over the last days, SmartMoving vs manual."""

from __future__ import annotations

from nicegui import ui

from components.board.stats_tiles import stats_tiles
from domain.board.views import CHART_DAYS, company_overview
from domain.access.rbac import Principal


async def company_overview_panel(principal: Principal) -> None:
    overview = await company_overview(principal)
    with ui.expansion(f"Company today · {overview.locations} locations", icon="apartment", value=True).classes(
            "w-full").props('dense header-class="text-subtitle1" data-testid="company-overview"'):
        with ui.row().classes("w-full no-wrap gap-4 items-stretch"):
            with ui.column().classes("flex-1 gap-2"):
                stats_tiles(overview.today, prefix="company")
            ui.echart({
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
            }).classes("flex-1 h-52 min-w-[320px]").props(
                f'data-testid="jobs-chart" role=img aria-label="Jobs per day, last {CHART_DAYS} days"').mark(
                "jobs-chart")
