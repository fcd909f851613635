"""The super admin's "Sync now" panel: start a sync of a company and watch it live (progress bar
and counts moved by SYNC_PROGRESS / SYNC_FINISHED of that company), plus the run history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from components.live import on_event
from components.sync.words import sync_words
from components.tables import column
from db.enums import SyncKind
from domain.errors import DomainError
from domain.events.bus import DomainEvent, EventType
from domain.access.rbac import Principal
from domain.sync.service import trigger_sync

KINDS = {SyncKind.JOBS.value: "Jobs: today + tomorrow", SyncKind.FULL_JOBS.value: "Full jobs refresh",
         SyncKind.CATALOGUE.value: "Catalogue"}
COUNTS = ("processed", "created", "updated", "unchanged", "failed")
LABELS = {**{name: name.title() for name in COUNTS}, "api_calls": "API calls"}
STATUS_COLORS = {"SUCCEEDED": "positive", "FAILED": "negative", "SKIPPED": "deep-orange-10", "RUNNING": "info",
                 "INTERRUPTED": "purple"}
HISTORY_COLUMNS = [
    column("id", "Run"), column("kind", "Kind", "kind_words"), column("trigger", "Trigger", "trigger_words"),
    column("status", "Status"),
    column("started_at", "Started (UTC)", "started"), column("duration", "Duration", right=True),
    *(column(c, c.title(), right=True) for c in COUNTS), column("api_calls", "API calls", right=True),
    column("error", "Error", wrap=True),
]


class SyncPanel:
    """Build inside a page; `on_finished` runs (in the page's context) after each finished run."""

    def __init__(self, principal: Principal, company_id: int, on_finished: Callable[[], Awaitable[None]]) -> None:
        self.principal, self.company_id, self.on_finished = principal, company_id, on_finished
        self.run_id: int | None = None
        with ui.card().classes("w-full").props("flat bordered"):
            with ui.row().classes("w-full items-center gap-4"):
                ui.label("SmartMoving sync").classes("text-subtitle1 text-weight-medium")
                self.kind = ui.select(KINDS, value=SyncKind.JOBS.value).props("dense outlined").classes("w-56") \
                    .mark("sync-kind")
                self.button = ui.button("Sync now", icon="sync", on_click=self.start).props(
                    'color=primary data-testid="sync-now"').mark("sync-now")
                self.state = ui.label("Idle").classes("text-grey-7").props('data-testid="sync-state"') \
                    .mark("sync-state")
            self.bar = ui.linear_progress(value=0, show_value=False, size="10px").classes("w-full") \
                .props('data-testid="sync-progress" rounded aria-label="Sync progress"').mark("sync-progress")
            with ui.row().classes("w-full gap-6 text-body2"):
                self.labels = {name: ui.label(f"{LABELS[name]} 0").props(f'data-testid="sync-{name}"')
                               .mark(f"sync-{name}") for name in LABELS}
        on_event(lambda e: e.company_id == company_id and e.type in (EventType.SYNC_PROGRESS, EventType.SYNC_FINISHED),
                 self.show)

    async def start(self) -> None:
        try:
            self.run_id = await trigger_sync(self.principal, self.company_id, SyncKind(self.kind.value))
        except DomainError as exc:
            ui.notify(exc.message, type="warning")
            return
        self.button.disable()
        self.bar.set_value(0)
        self.state.set_text(f"Run #{self.run_id} started")

    async def show(self, event: DomainEvent) -> None:
        data: dict[str, Any] = event.data
        total = data.get("total") or 0
        for name in COUNTS:
            of_total = f" / {total}" if name == "processed" and total else ""
            self.labels[name].set_text(f"{name.title()} {data.get(name, 0)}{of_total}")
        if event.type is EventType.SYNC_PROGRESS:
            self.button.disable()
            self.state.set_text(f"Run #{data['run_id']}: {data.get('stage', '')}…")
            self.bar.set_value(round(data.get("processed", 0) / total, 3) if total else 0)
            return
        self.labels["api_calls"].set_text(f"API calls {data.get('api_calls', 0)}")
        self.bar.set_value(1)
        error = f": {data['error']}" if data.get("error") else ""
        self.state.set_text(f"Run #{data['run_id']} {sync_words(data['status']).lower()}{error}")
        self.button.enable()
        await self.on_finished()


def history_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**run, "started": run["started_at"].strftime("%d %b %Y %H:%M:%S") if run["started_at"] else "",
             "kind_words": sync_words(run["kind"]), "trigger_words": sync_words(run["trigger"]),
             "status_words": sync_words(run["status"]).lower(),
             "duration": f"{run['duration_seconds']:.1f} s" if run["duration_seconds"] is not None else "…"}
            for run in runs]


def history_table(runs: list[dict[str, Any]]) -> ui.table:
    table = ui.table(columns=HISTORY_COLUMNS, rows=history_rows(runs), row_key="id", pagination=15) \
        .classes("w-full").props('dense flat bordered data-testid="sync-history"').mark("sync-history")
    colors = ", ".join(f"{k}: '{v}'" for k, v in STATUS_COLORS.items())
    table.add_slot("body-cell-status", f'''<q-td :props="props">
        <q-badge :color="({{{colors}}})[props.value] || 'grey-7'" :label="props.row.status_words" /></q-td>''')
    return table
