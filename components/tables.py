"""Dense tables of the desktop pages: column definitions and a bordered, paginated table."""

from __future__ import annotations

from typing import Any

from nicegui import ui

#: Long texts (errors) wrap instead of widening the table.
WRAP = "max-width: 340px; white-space: normal"


def column(name: str, label: str, field: str | None = None, *, right: bool = False, wrap: bool = False,
           sortable: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "label": label, "field": field or name, "align": "right" if right else "left"}
    if wrap:
        spec["style"] = WRAP
    if sortable:
        spec["sortable"] = True
    return spec


def _shown(value: Any) -> Any:
    """A cell as people read it: an empty value as a dash, not `None`."""
    return "—" if value is None else value


def simple_table(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...], testid: str) -> ui.table:
    """A sortable table of (field, label) columns, marked and test-id'd with `testid`."""
    fields = [f for f, _ in columns]
    rows = [{**row, **{f: _shown(row.get(f)) for f in fields}} for row in rows]
    return ui.table(columns=[column(f, label, sortable=True) for f, label in columns], rows=rows, row_key="id",
                    pagination=20).classes("w-full").props(f'dense flat bordered data-testid="{testid}"').mark(testid)
