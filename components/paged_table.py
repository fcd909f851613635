"""A table fed one page at a time by the domain (server-side paging), with a pager, a
"1–25 of 312" summary and per-row action buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from components.forms import attempt
from domain.paging import DEFAULT_PAGE_SIZE, Page

Fetch = Callable[[int, int], Awaitable[Page[Any]]]
OnAction = Callable[[str, dict[str, Any]], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class RowAction:
    name: str
    icon: str
    tooltip: str
    #: A JavaScript condition on `props.row` (e.g. "props.row.active"); empty: always shown.
    when: str = ""


#: Badge colours of the values of a `status` column.
STATUS_COLOURS = {"ACTIVE": "positive", "INACTIVE": "grey-7", "SUSPENDED": "deep-orange-10"}
_STATUS_SLOT = (
    f'<q-td :props="props"><q-badge :color="{STATUS_COLOURS}[props.value] || \'grey-7\'"'
    ' :label="props.value.charAt(0) + props.value.slice(1).toLowerCase()" /></q-td>'
)


def _actions_slot(actions: list[RowAction]) -> str:
    buttons = "".join(
        f'<q-btn flat dense round size="sm" icon="{a.icon}" aria-label="{a.tooltip}"'
        f'{f" v-if={chr(34)}{a.when}{chr(34)}" if a.when else ""}'
        f""" @click.stop="() => $parent.$emit('row_action', {{action: '{a.name}', row: props.row}})">"""
        f"<q-tooltip>{a.tooltip}</q-tooltip></q-btn>"
        for a in actions
    )
    return f'<q-td :props="props" auto-width><div class="row no-wrap justify-end">{buttons}</div></q-td>'


class PagedTable:
    """`fetch(page, page_size)` returns a domain `Page`; `to_row` turns an item into a table row
    (rows must hold no lists). Row actions call `on_action(name, item)` with the item itself."""

    def __init__(self, columns: list[dict[str, Any]], fetch: Fetch, *, marker: str,
                 to_row: Callable[[dict[str, Any]], dict[str, Any]] = dict, actions: list[RowAction] | None = None,
                 on_action: OnAction | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        self.fetch, self.to_row, self.page_size = fetch, to_row, page_size
        self.page = 1
        self.items: dict[Any, dict[str, Any]] = {}
        if actions:
            columns = [*columns, {"name": "actions", "label": "", "field": "id", "align": "right"}]
        self.table = ui.table(columns=columns, rows=[], row_key="id").props(
            f'flat bordered dense wrap-cells data-testid="{marker}" no-data-label="Nothing found"'
        ).classes("w-full").mark(marker)
        if any(c["name"] == "status" for c in columns):
            self.table.add_slot("body-cell-status", _STATUS_SLOT)
        if actions and on_action is not None:
            self.table.add_slot("body-cell-actions", _actions_slot(actions))
            self.table.on("row_action", lambda e: on_action(e.args["action"], self.items[e.args["row"]["id"]]))
        with ui.row().classes("w-full items-center justify-between"):
            self.summary = ui.label("").classes("text-caption text-grey-7").props(f'data-testid="{marker}-summary"') \
                .mark(f"{marker}-summary")
            self.pager = ui.pagination(1, 1, direction_links=True, on_change=self._page_changed).props(
                "max-pages=7 boundary-numbers dense"
            ).mark(f"{marker}-pager")

    async def _page_changed(self) -> None:
        if self.pager.value and self.pager.value != self.page:
            await self.load(self.pager.value)

    async def load(self, page: int = 1) -> None:
        """Show `page` (clamped to the last page when the list got shorter)."""
        result: list[Page[Any]] = []

        async def fetch() -> None:
            result.append(await self.fetch(page, self.page_size))

        if not await attempt(fetch):
            return
        current = result[0]
        if current.total and page > current.pages:
            await self.load(current.pages)
            return
        self.page = page
        self.items = {item["id"]: item for item in current.items}
        self.table.rows = [self.to_row(item) for item in current.items]
        first = (page - 1) * self.page_size + 1 if current.total else 0
        self.summary.set_text(f"{first}–{first + len(current.items) - 1 if current.items else 0} of {current.total}")
        self.pager.max = current.pages
        self.pager.value = page
        self.pager.set_visibility(current.pages > 1)

    async def reload(self) -> None:
        await self.load(self.page)
