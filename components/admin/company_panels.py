"""Pieces of the super admin's company page: stat tiles, charts, catalogue tables, the branch map,
the locations at a glance and the integration settings form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from components.sync.words import sync_words
from components.tables import simple_table
from config import get_settings
from db.enums import IntegrationPlan
from domain.errors import DomainError
from domain.access.rbac import Principal
from domain.sync.settings import MAX_FREQUENCY_MINUTES, MIN_FREQUENCY_MINUTES, IntegrationForm, save_integration

SOURCE_COLORS = {"SMARTMOVING": "#1976d2", "MANUAL": "#9e9e9e"}
RUN_COLORS = {"SUCCEEDED": "#21ba45", "FAILED": "#c10015", "SKIPPED": "#f2c037", "RUNNING": "#31ccec",
              "INTERRUPTED": "#9c27b0"}
#: Catalogue tabs: (kind, label, columns as (field, label)).
CATALOGUE_TABS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("service_types", "Service types", (("external_id", "Job type"), ("name", "Name"))),
    ("move_sizes", "Move sizes", (("name", "Name"), ("description", "Description"), ("volume", "Volume"),
                                  ("weight", "Weight"))),
    ("materials", "Materials", (("name", "Name"), ("description", "Description"), ("rate", "Rate"),
                                ("cost", "Cost"), ("tariff_external_id", "Tariff"))),
    ("users", "Users", (("name", "Name"), ("title", "Title"), ("email", "Email"), ("role_name", "Role"))),
)


def tile(label: str, value: Any, icon: str, testid: str, caption: str = "") -> None:
    with ui.card().classes("min-w-[150px] flex-1").props(f'flat bordered data-testid="tile-{testid}"'):
        with ui.row().classes("items-center no-wrap gap-3"):
            ui.icon(icon, size="md", color="primary")
            with ui.column().classes("gap-0"):
                ui.label(str(value)).classes("text-h6 leading-none").mark(f"tile-{testid}")
                ui.label(label).classes("text-caption text-grey-7")
                if caption:
                    ui.label(caption).classes("text-caption text-grey-7")


def stat_tiles(stats: dict[str, Any]) -> None:
    sync = stats.get("sync") or {}
    with ui.row().classes("w-full gap-3"):
        tile("Locations", stats["locations"], "store", "locations")
        tile("Active users", stats["users"], "group", "users")
        tile("Trucks", stats["trucks"], "local_shipping", "trucks")
        tile("Journeys today", stats["journeys_today"], "today", "journeys-today",
             f"{stats['smartmoving_today']} from SmartMoving")
        tile("Journeys tomorrow", stats["journeys_tomorrow"], "event", "journeys-tomorrow")
        if sync:
            tile("API calls this month", f"{sync['calls_this_month']:,}", "api", "calls",
                 f"of {sync['quota']:,} ({sync['plan'].title()})")
            rate = sync["success_rate"]
            tile("Sync success (30 d)", "—" if rate is None else f"{rate}%", "verified", "success-rate")


def jobs_chart(stats: dict[str, Any]) -> ui.echart:
    per_day = stats["jobs_per_day"]
    return ui.echart({
        "title": {"text": "Journeys per day by source", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "xAxis": {"type": "category", "data": [d[5:] for d in per_day["days"]]}, "yAxis": {"type": "value"},
        "series": [{"name": source.title(), "type": "bar", "stack": "jobs", "data": per_day[source],
                    "itemStyle": {"color": color}} for source, color in SOURCE_COLORS.items()],
    }).classes("w-full h-72").mark("jobs-chart")


def sync_chart(stats: dict[str, Any]) -> ui.echart | None:
    sync = stats.get("sync")
    if not sync:
        return None
    per_day = sync["runs_per_day"]
    rate = sync["success_rate"]
    return ui.echart({
        "title": {"text": f"Sync runs per day — success rate {'—' if rate is None else f'{rate}%'}",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "xAxis": {"type": "category", "data": [d[5:] for d in per_day["days"]]}, "yAxis": {"type": "value"},
        "series": [{"name": status.title(), "type": "bar", "stack": "runs", "data": per_day[status],
                    "itemStyle": {"color": color}} for status, color in RUN_COLORS.items()],
    }).classes("w-full h-72").mark("sync-chart")


def branches_panel(branches: list[dict[str, Any]]) -> None:
    placed = [b for b in branches if b["lat"] is not None and b["lng"] is not None]
    with ui.row().classes("w-full gap-4 no-wrap items-start"):
        simple_table(branches, (("name", "SmartMoving branch"), ("location", "Location"), ("timezone", "Timezone"),
                                ("phone", "Phone")), "branches-table").classes("flex-1")
        center = (sum(b["lat"] for b in placed) / len(placed), sum(b["lng"] for b in placed) / len(placed)) \
            if placed else (50.0, -96.0)
        with ui.leaflet(center=center, zoom=3).classes("flex-1 h-[480px]").mark("branches-map") as branch_map:
            for b in placed:
                branch_map.marker(latlng=(b["lat"], b["lng"]), options={"title": f"{b['name']} → {b['location']}"})


def locations_panel(locations: list[dict[str, Any]]) -> None:
    rows = [{**loc, "place": ", ".join(p for p in (loc["city"], loc["province"], loc["country"]) if p),
             "linked": "linked" if loc["branch"] else "—"} for loc in locations]
    simple_table(rows, (("name", "Location"), ("place", "Where"), ("timezone", "Timezone"),
                        ("journeys_today", "Journeys today"), ("branch", "SmartMoving branch")), "locations-table")


def _stored_hint(field: ui.input, masked: str | None, missing: str) -> None:
    """The masked stored secret under a write-only field (the secret itself never reaches the page)."""
    field.props(f'hint="{f"stored: {masked} — leave empty to keep" if masked else missing}"')


def settings_form(principal: Principal, company_id: int, current: dict[str, Any] | None,
                  on_saved: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """Base URL, API key (write-only, masked), plan, frequency, active, webhook header and secret."""
    current = current or {}
    with ui.card().classes("w-full max-w-3xl").props("flat bordered"):
        base_url = ui.input("Base URL", value=current.get("base_url", "https://api-public.smartmoving.com/v1")) \
            .props("outlined dense").classes("w-full").mark("settings-base-url")
        api_key = ui.input("API key (write-only)", password=True, password_toggle_button=True) \
            .props("outlined dense autocomplete=new-password").classes("w-full").mark("settings-api-key")
        _stored_hint(api_key, current.get("api_key"), "required")
        with ui.row().classes("w-full gap-4"):
            plan = ui.select({p.value: sync_words(p.value) for p in IntegrationPlan},
                             value=current.get("plan", IntegrationPlan.BASIC.value),
                             label="Plan").props("outlined dense").classes("w-40").mark("settings-plan")
            frequency = ui.number("Jobs sync every (minutes)", value=current.get("sync_frequency_minutes", 30),
                                  min=MIN_FREQUENCY_MINUTES, max=MAX_FREQUENCY_MINUTES, precision=0) \
                .props("outlined dense").classes("w-56").mark("settings-frequency")
            active = ui.switch("Active", value=current.get("active", True)).mark("settings-active")
        with ui.row().classes("w-full gap-4"):
            header = ui.input("Webhook header", value=current.get("webhook_header", "x-smartmoving-auth")) \
                .props("outlined dense").classes("w-64").mark("settings-webhook-header")
            secret = ui.input("Webhook secret (write-only)", password=True, password_toggle_button=True) \
                .props("outlined dense autocomplete=new-password").classes("flex-1").mark("settings-webhook-secret")
            _stored_hint(secret, current.get("webhook_secret"), "none: webhooks are refused")
        if current.get("webhook_path"):
            ui.label(f"Webhook URL to set in SmartMoving: {get_settings().public_url}{current['webhook_path']}") \
                .classes("text-caption text-grey-7").mark("webhook-url")
        error = ui.label("").classes("text-negative").props('role=alert data-testid="settings-error"') \
            .mark("settings-error")

        async def save() -> None:
            error.set_text("")
            try:
                view = await save_integration(principal, company_id, IntegrationForm(
                    base_url=base_url.value or "", plan=IntegrationPlan(plan.value), active=bool(active.value),
                    sync_frequency_minutes=int(frequency.value or 0), webhook_header=header.value or "",
                    api_key=api_key.value or None, webhook_secret=secret.value or None))
            except DomainError as exc:
                error.set_text(exc.message)
                return
            api_key.set_value("")
            secret.set_value("")
            _stored_hint(api_key, view["api_key"], "required")
            _stored_hint(secret, view["webhook_secret"], "none: webhooks are refused")
            ui.notify("Integration settings saved", type="positive")
            await on_saved(view)

        ui.button("Save settings", icon="save", on_click=save).props('data-testid="settings-save"') \
            .mark("settings-save")
