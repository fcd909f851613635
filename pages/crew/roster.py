"""`/crew`: the drivers and movers of the user's branches — contact, role, loans to and from
other branches, this week's assignments, last activity (in the branch's time zone)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from nicegui import ui

from components.filters import search_box, search_button
from components.journeys.words import day_words
from components.nav import app_header
from components.paged_table import PagedTable
from components.tables import column
from domain.access.locations import visible_locations
from domain.access.rbac import Permission, Principal, role_label
from domain.crew.roster import Loan, crew_roster
from domain.paging import Page
from domain.timewindow import local_time
from pages.access.session import guarded_page

COLUMNS = [column("name", "Name"), column("role", "Role"), column("branch", "Branch"), column("phone", "Phone"),
           column("email", "E-mail"), column("loan", "Loan", wrap=True), column("week", "This week", right=True),
           column("seen", "Last activity")]


def loan_words(loan: Loan) -> str:
    """`Lent to Alpha South, Mon 1 Dec 2026 – Wed 3 Dec 2026` or `On loan from Alpha North, ...`."""
    where = f"Lent to {loan.other_location}" if loan.direction == "out" else f"On loan from {loan.other_location}"
    return f"{where}, {day_words(loan.starts_on)} – {day_words(loan.ends_on)}"


def _row(item: dict[str, Any]) -> dict[str, Any]:
    seen = local_time(item["last_activity_at"], item["timezone"])
    count = item["week_assignments"]
    return {"id": item["id"], "name": item["name"], "role": role_label(item["role"]), "branch": item["location_name"],
            "phone": item["phone"] or "", "email": item["email"],
            "loan": "; ".join(loan_words(Loan(**loan)) for loan in item["loans"]),
            "week": f"{count} journey{'s' if count != 1 else ''}",
            "seen": f"{day_words(seen.date())} {seen:%H:%M}" if seen else "Never"}


async def crew_page(principal: Principal) -> None:
    app_header(principal)
    branches = {o.id: o.name for o in await visible_locations(principal)}
    form: dict[str, Any] = {"text": "", "branches": []}

    async def fetch(page: int, page_size: int) -> Page[dict[str, Any]]:
        found = await crew_roster(principal, location_ids=form["branches"] or (), search=form["text"] or "",
                                  page=page, page_size=page_size)
        return Page([asdict(row) for row in found.items], found.total, found.page, found.page_size)

    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        ui.label("Crew").classes("text-h5").props('data-testid="page-title"')
        with ui.row().classes("w-full items-end gap-3"):
            search_box("Search name, e-mail or phone", form, "crew", lambda: table.load(), "w-80")
            ui.select(branches, label="Branches", multiple=True, clearable=True).bind_value(form, "branches").props(
                "outlined dense use-chips").classes("w-72").mark("crew-branches")
            search_button("crew", lambda: table.load())
        table = PagedTable(COLUMNS, fetch, marker="crew-table", to_row=_row)
    await table.load()


def register() -> None:
    guarded_page("/crew", allow=Permission.VIEW_CREW_ROSTER, title="Crew · C&C CRM")(crew_page)
