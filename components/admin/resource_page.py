"""The administration screen of one kind of record (users, locations, trucks, companies): a
title with a "New …" button, a company chooser for the super admin, search, a paged table with
row actions, and create/edit dialogs. Every read and write goes through the domain with the
page's principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from nicegui import ui

from components.forms import FormField, attempt, open_form
from components.nav import app_header
from components.paged_table import PagedTable, RowAction
from domain.admin.bookings import MAX_NAMED
from domain.admin.companies import company_options
from domain.paging import Page
from domain.access.rbac import Principal

#: (principal, company_id or None, search text, page, page size) → one page of items.
ListFunction = Callable[[Principal, int | None, str, int, int], Awaitable[Page[Any]]]
FieldsFunction = Callable[[Principal, int | None], Awaitable[list[FormField]]]
ItemFunction = Callable[[Principal, int], Awaitable[Any]]
#: A row action of its own: (principal, item, reload the table).
CustomAction = Callable[[Principal, dict[str, Any], Callable[[], Awaitable[None]]], Awaitable[None] | None]


@dataclass(frozen=True)
class StateChange:
    action: RowAction
    change: ItemFunction
    done: str
    #: What the record is booked on from today (named in a confirmation before the change); None: no check.
    bookings: Callable[[Principal, int], Awaitable[list[str]]] | None = None


def confirm_bookings(title: str, bookings: list[str], on_confirm: Callable[[], Awaitable[None]]) -> None:
    """"Deactivate TOR-2101? It is booked on: …" with the journeys, and Keep / Deactivate anyway."""
    with ui.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full"):
        ui.label(title).classes("text-h6")
        ui.label("It is booked on these journeys, which would lose it:").classes("text-body2")
        with ui.column().classes("gap-1").props('data-testid="booked-journeys"').mark("booked-journeys"):
            for booking in bookings[:MAX_NAMED]:
                ui.label(f"• {booking}").classes("text-body2")
            if len(bookings) > MAX_NAMED:
                ui.label(f"… and {len(bookings) - MAX_NAMED} more").classes("text-body2 text-grey-8")

        async def confirm() -> None:
            dialog.close()
            await on_confirm()

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Keep it", on_click=dialog.close).props("flat no-caps").mark("keep-active")
            ui.button("Deactivate anyway", on_click=confirm).props(
                'unelevated no-caps color=negative data-testid="confirm-deactivate"').mark("confirm-deactivate")
    dialog.on("hide", dialog.delete)
    dialog.open()


@dataclass(frozen=True)
class ResourceSpec:
    noun: str
    title: str
    marker: str
    columns: list[dict[str, Any]]
    fetch: ListFunction
    fields: FieldsFunction
    create: Callable[[Principal, dict[str, Any]], Awaitable[Any]]
    update: Callable[[Principal, int, dict[str, Any]], Awaitable[Any]]
    to_row: Callable[[dict[str, Any]], dict[str, Any]] = dict
    #: Item → the edit form's starting values.
    to_form: Callable[[dict[str, Any]], dict[str, Any]] = dict
    #: (form values, starting values or None) → the data the domain takes.
    from_form: Callable[[dict[str, Any], dict[str, Any] | None], dict[str, Any]] = lambda values, _start: values
    states: list[StateChange] = field(default_factory=list)
    custom: dict[str, tuple[RowAction, CustomAction]] = field(default_factory=dict)
    #: The super admin chooses the company first (False for companies themselves).
    per_company: bool = True


async def resource_page(principal: Principal, spec: ResourceSpec) -> None:
    app_header(principal)
    chosen: dict[str, Any] = {"company_id": None, "search": ""}
    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label(spec.title).classes("text-h5").props('data-testid="page-title"')
            ui.button(f"New {spec.noun}", icon="add", on_click=lambda: create()).props(
                f'unelevated data-testid="new-{spec.noun}"').mark(f"new-{spec.noun}")
        async def choose(**values: Any) -> None:
            chosen.update(values)
            await table.load()

        with ui.row().classes("w-full items-center gap-3"):
            if spec.per_company and principal.is_super_admin:
                companies = await company_options(principal)
                chosen["company_id"] = next(iter(companies), None)
                ui.select(companies, label="Company", value=chosen["company_id"],
                          on_change=lambda e: choose(company_id=e.value)).props(
                    'outlined dense data-testid="company-chooser"').classes("w-72").mark("company-chooser")
            ui.input(placeholder=f"Search {spec.title.lower()}…",
                     on_change=lambda e: choose(search=e.value or "")).props(
                'outlined dense clearable debounce=300 data-testid="search"').classes("w-80").mark("search")

        async def fetch(page: int, page_size: int) -> Page[Any]:
            return await spec.fetch(principal, chosen["company_id"], chosen["search"], page, page_size)

        actions = [s.action for s in spec.states] + [a for a, _ in spec.custom.values()]
        actions.insert(0, RowAction("edit", "edit", "Edit"))
        table = PagedTable(spec.columns, fetch, marker=f"{spec.marker}-table", to_row=spec.to_row,
                           actions=actions, on_action=lambda name, item: on_action(name, item))

    async def form_fields() -> list[FormField]:
        return await spec.fields(principal, chosen["company_id"])

    async def create() -> None:
        def submit(values: dict[str, Any]) -> Awaitable[Any]:
            data = spec.from_form(values, None)
            if spec.per_company and principal.is_super_admin:
                data["company_id"] = chosen["company_id"]
            return spec.create(principal, data)

        open_form(f"New {spec.noun}", await form_fields(), submit, marker=f"{spec.marker}-form",
                  saved_message=f"{spec.noun.capitalize()} created", on_saved=table.reload)

    async def on_action(name: str, item: dict[str, Any]) -> None:
        if name == "edit":
            start = spec.to_form(item)
            open_form(f"Edit {spec.noun}", await form_fields(),
                      lambda values: spec.update(principal, item["id"], spec.from_form(values, start)),
                      initial=start, marker=f"{spec.marker}-form", saved_message="Changes saved",
                      on_saved=table.reload)
        elif name in spec.custom:
            result = spec.custom[name][1](principal, item, table.reload)
            if result is not None:
                await result
        else:
            state = next(s for s in spec.states if s.action.name == name)

            async def change() -> None:
                if await attempt(lambda: state.change(principal, item["id"]), state.done):
                    await table.reload()

            booked = await state.bookings(principal, item["id"]) if state.bookings is not None else []
            if booked:
                confirm_bookings(f"{state.action.tooltip} {item.get('number') or item.get('full_name') or ''}?"
                                 .replace("  ", " "), booked, change)
            else:
                await change()

    await table.load()
