"""`/audit`: the audit trail for auditors, admins and the super admin — filters (dates, user,
entity, action, and company for the super admin), server-side paging, CSV download."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.downloads import download_csv
from components.filters import day_of
from components.nav import app_header
from components.paged_table import PagedTable
from domain.access.rbac import Permission, Principal
from domain.admin.companies import company_options
from domain.audit.log import AuditFilters, audit_filter_choices, export_audit_csv, list_audit_entries
from domain.paging import Page
from pages.access.session import guarded_page

COLUMNS = [
    {"name": n, "label": label, "field": n, "align": "left"}
    for n, label in (("when", "When (company time)"), ("actor_email", "Who"), ("action", "What happened"),
                     ("entity", "Record"), ("changes", "Changes"), ("ip", "IP address"))
]


def _row(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "when": item["when"], "actor_email": item["actor_email"] or "System",
            "action": item["action_words"], "entity": item["entity_words"], "changes": item["changes"],
            "ip": item["ip"] or "—"}


async def audit_page(principal: Principal) -> None:
    app_header(principal)
    choices = await audit_filter_choices(principal)
    form: dict[str, Any] = {"date_from": None, "date_to": None, "actor": "", "entity": None, "action": None,
                            "company_id": None}

    def filters() -> AuditFilters:
        return AuditFilters(date_from=day_of(form["date_from"], "From"), date_to=day_of(form["date_to"], "To"),
                            actor=form["actor"] or None, entity=form["entity"], action=form["action"],
                            company_id=form["company_id"])

    async def fetch(page: int, page_size: int) -> Page[Any]:
        return await list_audit_entries(principal, filters(), page=page, page_size=page_size)

    async def download() -> None:
        await download_csv(lambda: export_audit_csv(principal, filters()))

    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Audit trail").classes("text-h5").props('data-testid="page-title"')
            ui.button("Download CSV", icon="download", on_click=download).props(
                'unelevated data-testid="audit-download"').mark("audit-download")
        with ui.row().classes("w-full items-end gap-3"):
            if principal.is_super_admin:
                ui.select(await company_options(principal), label="Company", clearable=True).bind_value(
                    form, "company_id").props("outlined dense").classes("w-60").mark("audit-company")
            ui.input("From").bind_value(form, "date_from").props("outlined dense type=date stack-label") \
                .classes("w-40").mark("audit-from")
            ui.input("To").bind_value(form, "date_to").props("outlined dense type=date stack-label") \
                .classes("w-40").mark("audit-to")
            ui.input("User email").bind_value(form, "actor").props("outlined dense clearable").classes("w-56") \
                .mark("audit-actor")
            ui.select(choices["entities"], label="Entity", clearable=True).bind_value(form, "entity") \
                .props("outlined dense").classes("w-40").mark("audit-entity")
            ui.select(choices["actions"], label="Action", clearable=True).bind_value(form, "action") \
                .props('outlined dense data-testid="audit-action"').classes("w-44").mark("audit-action")
            ui.button("Apply", icon="filter_alt", on_click=lambda: table.load()).props(
                'outline data-testid="audit-apply"').mark("audit-apply")
        table: PagedTable = PagedTable(COLUMNS, fetch, marker="audit-table", to_row=_row)
    await table.load()


def register() -> None:
    guarded_page("/audit", allow=Permission.VIEW_AUDIT, title="Audit · C&C CRM")(audit_page)
