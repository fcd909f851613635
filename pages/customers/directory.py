"""`/customers`: customers of the user's scope, searched and paged; `/customers/{id}`: one
customer's contacts and upcoming and past journeys (each linking to its journey page)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.filters import search_box, search_button
from components.journeys.words import day_words
from components.nav import app_header
from components.paged_table import PagedTable
from components.tables import column
from domain.access.rbac import Permission, Principal
from domain.customers.directory import get_customer, list_customers
from domain.errors import NotFound
from domain.paging import Page
from pages.access.session import guarded_page
from pages.journeys.search import LINK_SLOT, journey_columns, journey_row, money

NAME_SLOT = ('<q-td :props="props"><a :href="\'/customers/\' + props.row.id" class="text-primary"'
             ' :data-testid="\'customer-link-\' + props.row.id">{{ props.value }}</a></q-td>')


def _columns(financial: bool) -> list[dict[str, Any]]:
    columns = [column("name", "Customer"), column("phone", "Phone"), column("email", "E-mail"),
               column("source", "From"), column("journeys", "Journeys", right=True), column("last", "Latest move")]
    return [*columns, column("value", "Total estimated", right=True)] if financial else columns


def _row(item: dict[str, Any]) -> dict[str, Any]:
    row = {"id": item["id"], "name": item["name"] or "—", "phone": item["phone"] or "", "email": item["email"] or "",
           "source": "SmartMoving" if item["from_smartmoving"] else "Manual", "journeys": item["journeys"],
           "last": day_words(item["last_date"])}
    if "total_value" in item:
        row["value"] = money(item["total_value"])
    return row


async def customers_page(principal: Principal) -> None:
    app_header(principal)
    form: dict[str, Any] = {"text": ""}

    async def fetch(page: int, page_size: int) -> Page[dict[str, Any]]:
        found = await list_customers(principal, search=form["text"] or "", page=page, page_size=page_size)
        return Page([c.to_dict() for c in found.items], found.total, found.page, found.page_size)

    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        ui.label("Customers").classes("text-h5").props('data-testid="page-title"')
        with ui.row().classes("w-full items-end gap-3"):
            search_box("Search name, phone, e-mail, job or address", form, "customers", lambda: table.load())
            search_button("customers", lambda: table.load())
        table = PagedTable(_columns(principal.can(Permission.VIEW_FINANCIAL_DATA)), fetch,
                           marker="customers-table", to_row=_row)
        table.table.add_slot("body-cell-name", NAME_SLOT)
    await table.load()


def _journeys(title: str, rows: list[dict[str, Any]], marker: str, financial: bool) -> None:
    ui.label(title).classes("text-h6")
    table = ui.table(columns=journey_columns(financial), rows=[journey_row(r) for r in rows], row_key="id").props(
        f'flat bordered dense wrap-cells data-testid="{marker}" no-data-label="None"').classes("w-full").mark(marker)
    table.add_slot("body-cell-label", LINK_SLOT)


async def customer_page(principal: Principal, customer_id: int) -> None:
    app_header(principal)
    try:
        detail = (await get_customer(principal, customer_id)).to_dict()
    except NotFound:
        ui.label("This customer does not exist, or is outside your branches.").classes("q-pa-md") \
            .props('data-testid="customer-not-found"').mark("customer-not-found")
        return
    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        with ui.row().classes("items-baseline gap-4"):
            ui.label(detail["name"] or "Customer").classes("text-h5").props('data-testid="page-title"')
            ui.label("SmartMoving customer" if detail["from_smartmoving"] else "Manual bookings").classes(
                "text-grey-8")
            if "total_value" in detail:
                ui.label(f"Total estimated {money(detail['total_value'])}").classes("text-grey-8")
        ui.label("Contacts").classes("text-h6")
        for contact in detail["contacts"]:
            ui.label(" · ".join(v for v in (contact["name"], contact["phone"], contact["email"]) if v))
        if detail["notes"]:
            ui.label("Notes").classes("text-h6")
            for note in detail["notes"]:
                ui.label(f"{note['label']}, {day_words(note['journey_date'])}: {note['text']}").classes(
                    "whitespace-pre-line")
        financial = "total_value" in detail
        _journeys("Upcoming journeys", detail["upcoming"], "customer-upcoming", financial)
        _journeys("Past journeys", detail["past"], "customer-past", financial)


def register() -> None:
    guarded_page("/customers", allow=Permission.VIEW_CUSTOMERS, title="Customers · C&C CRM")(customers_page)
    guarded_page("/customers/{customer_id}", allow=Permission.VIEW_CUSTOMERS,
                 title="Customer · C&C CRM")(customer_page)
