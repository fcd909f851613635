"""`/journeys`: every journey of the user's scope across dates and branches — one search box,
filters (dates, branches, status, source, crew member, truck), sorting, paging, CSV download of
the current filter. Each row opens the journey page."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from components.downloads import download_csv
from components.filters import day_of, search_box, search_button
from components.journeys.words import day_words, hours_words
from components.nav import app_header
from components.paged_table import PagedTable
from components.tables import column
from db.enums import DataSource, JourneyStatus
from domain.access.rbac import Permission, Principal
from domain.journeys.labels import source_label, status_label
from domain.journeys.search import (
    JourneySearch,
    JourneySort,
    export_journeys_csv,
    search_choices,
    search_journeys,
)
from domain.paging import Page
from pages.access.session import guarded_page

#: The job label links to the journey page.
LINK_SLOT = ('<q-td :props="props" class="text-no-wrap"><a :href="\'/journeys/\' + props.row.id" class="text-primary"'
             ' :data-testid="\'journey-link-\' + props.row.id">{{ props.value }}</a></q-td>')
SORTS = {JourneySort.DATE.value: "Date", JourneySort.STATUS.value: "Status", JourneySort.BRANCH.value: "Branch"}
#: The columns whose header sorts the list on the server (column name -> sort).
SORTED_BY = {"day": JourneySort.DATE, "state": JourneySort.STATUS, "branch": JourneySort.BRANCH}


def sort_header(sort: JourneySort) -> str:
    """A header cell that is a button (keyboard and screen readers too) asking for `sort`."""
    return (f'<q-th :props="props"><q-btn flat dense no-caps size="sm" icon-right="swap_vert" :label="props.col.label"'
            f' :aria-label="\'Sort by \' + props.col.label" data-testid="journeys-sort-{sort.value}"'
            f""" @click="() => $parent.$emit('sort_by', '{sort.value}')" /></q-th>""")
ORDERS = {"desc": "Descending (newest first, Z to A)", "asc": "Ascending (oldest first, A to Z)"}


def money(value: Any) -> str:
    return "" if value is None else f"${value:,.2f}"


def journey_columns(financial: bool) -> list[dict[str, Any]]:
    columns = [column("label", "Job"), column("day", "Date"), column("hours", "Time"), column("branch", "Branch"),
               column("state", "Status"), column("customer", "Customer"), column("phone", "Phone"),
               column("address", "From", wrap=True), column("truck", "Truck"), column("crew", "Crew", wrap=True)]
    return [*columns, column("value", "Estimated value", right=True)] if financial else columns


def journey_row(item: dict[str, Any]) -> dict[str, Any]:
    """A `JourneyRow.to_dict()` in words (it has `estimated_value` only for roles that may see money)."""
    row = {"id": item["id"], "label": item["label"], "day": day_words(item["journey_date"]),
           "hours": hours_words(item["scheduled_start"], item["scheduled_end"]), "branch": item["location_name"],
           "state": status_label(item["status"]), "customer": item["customer_name"] or "—",
           "phone": item["customer_phone"] or "", "address": item["origin_address"] or "",
           "truck": item["truck_number"] or "", "crew": ", ".join(item["crew"])}
    if "estimated_value" in item:
        row["value"] = money(item["estimated_value"])
    return row


async def journeys_page(principal: Principal) -> None:
    app_header(principal)
    choices = await search_choices(principal)
    form: dict[str, Any] = {"text": "", "date_from": None, "date_to": None, "branches": [], "statuses": [],
                            "source": None, "crew": None, "truck": None, "sort": "date", "order": "desc"}

    def search() -> JourneySearch:
        return JourneySearch(
            text=form["text"] or "", date_from=day_of(form["date_from"], "From"),
            date_to=day_of(form["date_to"], "To"), location_ids=frozenset(form["branches"] or ()),
            statuses=frozenset(JourneyStatus(s) for s in form["statuses"] or ()),
            source=DataSource(form["source"]) if form["source"] else None, crew_user_id=form["crew"],
            truck_id=form["truck"], sort=JourneySort(form["sort"]), descending=form["order"] == "desc")

    async def fetch(page: int, page_size: int) -> Page[dict[str, Any]]:
        found = await search_journeys(principal, search(), page=page, page_size=page_size)
        return Page([row.to_dict() for row in found.items], found.total, found.page, found.page_size)

    def options(items: tuple[Any, ...]) -> dict[int, str]:
        return {c.id: c.name for c in items}

    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Journeys").classes("text-h5").props('data-testid="page-title"')
            ui.button("Download CSV", icon="download",
                      on_click=lambda: download_csv(lambda: export_journeys_csv(principal, search()))).props(
                'unelevated no-caps data-testid="journeys-download"').mark("journeys-download")
        with ui.row().classes("w-full items-end gap-3"):
            search_box("Search customer, job, address, phone or e-mail", form, "journeys", lambda: table.load())
            ui.input("From").bind_value(form, "date_from").props("outlined dense type=date stack-label") \
                .classes("w-40").mark("journeys-from")
            ui.input("To").bind_value(form, "date_to").props("outlined dense type=date stack-label") \
                .classes("w-40").mark("journeys-to")
            ui.select(options(choices.branches), label="Branches", multiple=True, clearable=True).bind_value(
                form, "branches").props("outlined dense use-chips").classes("w-64").mark("journeys-branches")
            ui.select({s.value: status_label(s) for s in JourneyStatus}, label="Status", multiple=True,
                      clearable=True).bind_value(form, "statuses").props("outlined dense use-chips") \
                .classes("w-56").mark("journeys-status")
            ui.select({s.value: source_label(s) for s in DataSource}, label="Source", clearable=True).bind_value(
                form, "source").props("outlined dense").classes("w-40").mark("journeys-source")
            ui.select(options(choices.crew), label="Crew member", clearable=True, with_input=True).bind_value(
                form, "crew").props("outlined dense").classes("w-56").mark("journeys-crew")
            ui.select(options(choices.trucks), label="Truck", clearable=True, with_input=True).bind_value(
                form, "truck").props("outlined dense").classes("w-40").mark("journeys-truck")
            ui.select(SORTS, label="Sort by").bind_value(form, "sort").props("outlined dense").classes("w-32") \
                .mark("journeys-sort")
            ui.select(ORDERS, label="Order").bind_value(form, "order").props("outlined dense").classes("w-72") \
                .mark("journeys-order")
            search_button("journeys", lambda: table.load())
        table = PagedTable(journey_columns(principal.can(Permission.VIEW_FINANCIAL_DATA)), fetch,
                           marker="journeys-table", to_row=journey_row)
        table.table.add_slot("body-cell-label", LINK_SLOT)
        for name, sort in SORTED_BY.items():
            table.table.add_slot(f"header-cell-{name}", sort_header(sort))

        async def sort_by(sort: str) -> None:
            """Another column: its natural order (newest dates first, A to Z); the same one again: reversed."""
            if form["sort"] == sort:
                form["order"] = "asc" if form["order"] == "desc" else "desc"
            else:
                form["sort"], form["order"] = sort, "desc" if sort == JourneySort.DATE.value else "asc"
            await table.load()

        table.table.on("sort_by", lambda e: sort_by(str(e.args)))
    await table.load()


def register() -> None:
    guarded_page("/journeys", allow=Permission.SEARCH_JOURNEYS, title="Journeys · C&C CRM")(journeys_page)
