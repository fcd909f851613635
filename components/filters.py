"""Filter inputs of the desk's lists: the search box and its button, and what the browser's date
inputs send, read as days."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from nicegui import ui

from domain.errors import ValidationFailed
from domain.paging import MAX_SEARCH_LENGTH


def day_of(text: str | None, label: str) -> date | None:
    """The day typed in a date input (`YYYY-MM-DD`), None when empty; a clear error otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed(f"{label} must be a date (YYYY-MM-DD)") from exc


def search_box(label: str, form: dict[str, Any], marker: str, on_search: Callable[[], Awaitable[None]],
               width: str = "w-96") -> ui.input:
    """The list's search text (`form["text"]`), searched on Enter; marked `<marker>-search`."""
    return ui.input(label).bind_value(form, "text").props(
        f'outlined dense clearable maxlength={MAX_SEARCH_LENGTH} data-testid="{marker}-search"').classes(
        width).mark(f"{marker}-search").on("keydown.enter", on_search)


def search_button(marker: str, on_search: Callable[[], Awaitable[None]]) -> ui.button:
    """The button that applies the filters; marked `<marker>-apply`."""
    return ui.button("Search", icon="search", on_click=on_search).props(
        f'unelevated no-caps data-testid="{marker}-apply"').mark(f"{marker}-apply")
