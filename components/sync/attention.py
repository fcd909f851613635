"""The "Needs attention" list in words: what SmartMoving changed on a planned journey (old → new,
dates and times in the branch's zone), what was released, and "Mark handled" for those who plan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from nicegui import ui

from components.board.job_card import humanize
from domain.journeys.labels import clock
from domain.sync.attention import AttentionItem

Resolve = Callable[[AttentionItem], Awaitable[None]]

_NAMES = {"journey_date": "date", "scheduled_start": "start", "scheduled_end": "end", "origin_address": "from",
          "destination_address": "to", "location_id": "branch", "status": "status"}


def _value(column: str, value: Any, item: AttentionItem, branches: Mapping[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if column == "journey_date":
        return f"{date.fromisoformat(str(value)):%a %d %b}"
    if column in ("scheduled_start", "scheduled_end"):
        return clock(datetime.fromisoformat(str(value)), item.timezone)
    if column == "location_id":
        return branches.get(int(value), "another branch")
    if column == "status":
        return humanize(str(value))
    return str(value)


def changes_in_words(item: AttentionItem, branches: Mapping[int, str] | None = None) -> str:
    """"date Fri 20 Nov → Mon 23 Nov; start 09:00 → 12:00" (old → new)."""
    names = branches or {}
    return "; ".join(f"{_NAMES.get(column, humanize(column).lower())} {_value(column, old, item, names)} → "
                     f"{_value(column, new, item, names)}" for column, (old, new) in item.changes.items())


def attention_line(item: AttentionItem, branches: Mapping[int, str] | None = None) -> str:
    released = " · truck and crew released" if item.released else ""
    job = f"SM {item.job_number}" if item.job_number else "manual journey"
    changes = changes_in_words(item, branches)
    return (f"{item.customer_name} ({job}), {item.journey_date:%a %d %b}: {item.reason}{released}."
            + (f" {changes}." if changes else ""))


def attention_entries(items: Sequence[AttentionItem], *, on_resolve: Resolve | None = None, link: bool = True,
                      branches: Mapping[int, str] | None = None) -> None:
    """One line per entry, with a link to its journey (where the reader may open journeys) and,
    when allowed, "Mark handled"."""
    for item in items:
        with ui.row().classes("items-center gap-2 no-wrap w-full"):
            ui.label(attention_line(item, branches)).classes("text-body2").mark(f"attention-{item.journey_id}")
            if link:
                ui.link("Open journey", f"/journeys/{item.journey_id}").classes("text-primary text-caption")
            if on_resolve is not None:
                ui.button("Mark handled", on_click=lambda i=item: on_resolve(i)) \
                    .props(f'flat dense no-caps data-testid="resolve-attention-{item.id}"') \
                    .mark(f"resolve-attention-{item.id}")
