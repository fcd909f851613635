"""The super admin portal: companies and their SmartMoving integrations, and one company's page
(figures, Sync now with live progress, history, catalogue, branch map, locations, settings)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.admin.company_panels import (
    CATALOGUE_TABS,
    branches_panel,
    jobs_chart,
    locations_panel,
    settings_form,
    stat_tiles,
    sync_chart,
)
from components.nav import app_header
from components.sync.attention import attention_entries
from components.sync.call_plan import call_plan_panel
from components.sync.drift import drift_panel
from components.sync.panel import SyncPanel, history_rows, history_table
from components.sync.words import sync_words
from components.sync.write_back import WriteBackPanel
from components.tables import column, simple_table
from domain.access.rbac import Permission, Principal
from domain.admin.overview import company_catalogue, company_detail, company_locations, company_stats, list_companies
from db.enums import SyncKind
from domain.errors import DomainError, NotFound
from domain.sync.attention import attention_list
from domain.sync.drift import drift_report
from domain.sync.schedule import integration_plan
from domain.sync.service import trigger_sync
from domain.sync.history import sync_history
from pages.access.session import guarded_page

INTEGRATION_COLORS = {"OK": "positive", "ERROR": "negative", "SYNCING": "info", "NEVER_SYNCED": "grey-7",
                      "DISABLED": "grey-7"}
CATALOGUE_COLUMNS = {kind: columns for kind, _, columns in CATALOGUE_TABS}
COMPANY_COLUMNS = [
    column("name", "Company", sortable=True), column("locations", "Locations", right=True),
    column("users", "Users", right=True), column("integration", "SmartMoving", "integration_status"),
    column("plan", "Plan", "plan_words"), column("last_sync", "Last sync (UTC)"),
    column("calls", "Calls this month", right=True),
    column("last_error", "Last error", wrap=True),
]


def _company_row(company: dict[str, Any]) -> dict[str, Any]:
    integration = company["integration"] or {}
    last = integration.get("last_sync_at")
    status = integration.get("status", "NOT CONFIGURED") if integration.get("active", True) else "DISABLED"
    return {
        "id": company["id"], "name": company["name"], "locations": company["locations"], "users": company["users"],
        "integration_status": status, "integration_words": sync_words(status),
        "plan": integration.get("plan", "—"), "plan_words": sync_words(integration.get("plan")),
        "last_sync": last.strftime("%d %b %Y %H:%M") if last else "—",
        "calls": f"{integration['calls_this_month']:,} / {integration['quota']:,}" if integration else "—",
        "last_error": integration.get("last_error") or "",
    }


async def companies_page(principal: Principal) -> None:
    companies = await list_companies(principal)
    app_header(principal)
    with ui.column().classes("w-full p-6 gap-4"):
        ui.label("Companies").classes("text-h5").props('data-testid="page-title"')
        ui.label("Tenants and their SmartMoving integrations. Open a company to sync it, read its history and "
                 "change its integration.").classes("text-grey-7")
        table = ui.table(columns=COMPANY_COLUMNS, rows=[_company_row(c) for c in companies], row_key="id") \
            .classes("w-full").props('flat bordered data-testid="companies-table"').mark("companies-table")
        table.add_slot("body-cell-name", '''<q-td :props="props">
            <a :href="'/super-admin/companies/' + props.row.id"
               class="text-primary text-weight-medium">{{ props.value }}</a>
            </q-td>''')
        colors = ", ".join(f"{k}: '{v}'" for k, v in INTEGRATION_COLORS.items())
        table.add_slot("body-cell-integration", f'''<q-td :props="props">
            <q-badge :color="({{{colors}}})[props.value] || 'grey-7'" :label="props.row.integration_words" />
            </q-td>''')
        for company in companies:  # keyboard- and test-friendly links besides the table
            ui.link(f"Open {company['name']}", f"/super-admin/companies/{company['id']}") \
                .classes("text-caption").mark(f"open-company-{company['id']}")


async def company_page(principal: Principal, company_id: int) -> None:
    app_header(principal)
    try:
        detail = await company_detail(principal, company_id)
    except NotFound as exc:
        ui.label(exc.message).classes("text-h6 p-6").props('data-testid="not-found"')
        return
    page = _CompanyPage(principal, company_id, detail)
    await page.build()


class _CompanyPage:
    def __init__(self, principal: Principal, company_id: int, detail: dict[str, Any]) -> None:
        self.principal, self.company_id, self.detail = principal, company_id, detail

    async def build(self) -> None:
        stats = await company_stats(self.principal, self.company_id)
        runs = await sync_history(self.principal, self.company_id)
        integration = self.detail["integration"]
        with ui.column().classes("w-full p-6 gap-4"):
            with ui.row().classes("items-center gap-3"):
                ui.link("Companies", "/super-admin").classes("text-primary")
                ui.label("/").classes("text-grey-7")
                ui.label(self.detail["name"]).classes("text-h5").props('data-testid="page-title"')
                status = integration["status"] if integration else "NOT CONFIGURED"
                self.badge = ui.badge(sync_words(status), color=INTEGRATION_COLORS.get(status, "grey-7")).props(
                    'data-testid="integration-status"').mark("integration-status")
            self.tiles = ui.refreshable(stat_tiles)
            self.tiles(stats)
            if integration:
                SyncPanel(self.principal, self.company_id, self.reload)
            else:
                ui.label("No SmartMoving integration yet: configure it under Settings.").classes("text-grey-7")
            with ui.tabs().classes("w-full").props("dense align=left") as tabs:
                overview = ui.tab("Overview")
                history_tab = ui.tab("Sync history")
                drift_tab = ui.tab("Drift")
                attention_tab = ui.tab("Needs attention")
                branches_tab = ui.tab("Branches")
                catalogue_tabs = [ui.tab(label) for _, label, _ in CATALOGUE_TABS]
                locations_tab = ui.tab("Locations")
                settings_tab = ui.tab("Settings")
            with ui.tab_panels(tabs, value=overview).classes("w-full"):
                with ui.tab_panel(overview):
                    if integration and (plan := await integration_plan(integration["id"])) is not None:
                        call_plan_panel(plan)
                    if integration:
                        await WriteBackPanel(self.principal, self.company_id).show()
                    self.charts = ui.refreshable(self._charts)
                    self.charts(stats)
                with ui.tab_panel(history_tab):
                    self.history = history_table(runs)
                with ui.tab_panel(drift_tab):
                    self.drift = ui.column().classes("w-full gap-3").props('data-testid="drift"')
                with ui.tab_panel(attention_tab):
                    self.attention = ui.column().classes("w-full gap-1").props('data-testid="company-attention"')
                await self._fill_sync_checks()
                self.boxes: dict[str, ui.column] = {}
                catalogue_kinds = (k for k, _, _ in CATALOGUE_TABS)
                for kind, tab in (("branches", branches_tab), *zip(catalogue_kinds, catalogue_tabs, strict=True),
                                  ("locations", locations_tab)):
                    with ui.tab_panel(tab):
                        self.boxes[kind] = ui.column().classes("w-full")
                await self._fill_catalogue()
                with ui.tab_panel(settings_tab):
                    settings_form(self.principal, self.company_id, integration, self._saved)

    async def _fill_sync_checks(self) -> None:
        """(Re)draw the drift report and the company's "Needs attention" list."""
        report = await drift_report(self.principal, self.company_id)
        self.drift.clear()
        with self.drift:
            drift_panel(report, self._reconcile if self.detail["integration"] else None)
        items = await attention_list(self.principal, company_id=self.company_id)
        self.attention.clear()
        with self.attention:
            if not items:
                ui.label("Nothing needs attention: no planned journey was changed by SmartMoving.") \
                    .classes("text-grey-7")
            attention_entries(items, link=False)

    async def _reconcile(self) -> None:
        try:
            run_id = await trigger_sync(self.principal, self.company_id, SyncKind.FULL_JOBS)
        except DomainError as exc:
            ui.notify(exc.message, type="warning")
            return
        ui.notify(f"Full reconciliation started (run #{run_id})", type="positive")

    async def _fill_catalogue(self) -> None:
        """(Re)draw the branches, catalogue and locations tabs."""
        for kind, box in self.boxes.items():
            box.clear()
            with box:
                if kind == "branches":
                    branches_panel(await company_catalogue(self.principal, self.company_id, kind))
                elif kind == "locations":
                    locations_panel(await company_locations(self.principal, self.company_id))
                else:
                    simple_table(await company_catalogue(self.principal, self.company_id, kind),
                                 CATALOGUE_COLUMNS[kind], f"catalogue-{kind}")

    @staticmethod
    def _charts(stats: dict[str, Any]) -> None:
        with ui.row().classes("w-full gap-4 no-wrap"):
            with ui.card().classes("flex-1").props("flat bordered"):
                jobs_chart(stats)
            with ui.card().classes("flex-1").props("flat bordered"):
                if sync_chart(stats) is None:
                    ui.label("No sync runs yet.").classes("text-grey-7")

    async def reload(self) -> None:
        """After a run: figures, charts, history and status badge."""
        stats = await company_stats(self.principal, self.company_id)
        self.tiles.refresh(stats)
        self.charts.refresh(stats)
        self.history.rows = history_rows(await sync_history(self.principal, self.company_id))
        self.history.update()
        await self._fill_catalogue()
        await self._fill_sync_checks()
        status = (stats.get("sync") or {}).get("status")
        if status:
            self.badge.set_text(sync_words(status))
            self.badge.props(f"color={INTEGRATION_COLORS.get(status, 'grey-7')}")

    async def _saved(self, view: dict[str, Any]) -> None:
        self.badge.set_text(sync_words(view["status"]))


def register() -> None:
    guarded_page("/super-admin", allow=Permission.VIEW_ALL_COMPANIES, title="Super admin · C&C CRM")(companies_page)
    guarded_page("/super-admin/companies/{company_id}", allow=Permission.VIEW_ALL_COMPANIES,
                 title="Company · C&C CRM")(company_page)
