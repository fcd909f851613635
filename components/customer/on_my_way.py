"""The crew's "On my way" button (phone, ≥ 48 px): shown to the journey's crew while they drive
to the customer (morning prep done, nothing recorded at pickup yet). A tap creates the tracking
link and queues the e-mail (`domain/customer/links.py`); the phone says what happened."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from components.testid import tid
from components.workflow.phase_inputs import TOUCH
from db.enums import Phase
from domain.access.rbac import Principal
from domain.customer.links import ON_MY_WAY_STAGES, tell_customer_on_my_way
from domain.customer.stage import stage_of
from domain.workflow.phases import WorkflowView

Run = Callable[[Callable[[], Awaitable[Any]]], Awaitable[None]]
Notify = Callable[[str, str, int], None]


def shows_on_my_way(view: WorkflowView) -> bool:
    pickup = view.phase(Phase.PICKUP)
    records = sum(len(item.records) for item in pickup.items) + len(pickup.other_records)
    return view.viewer_is_crew and stage_of(view.journey_status, view.current_phase, records) in ON_MY_WAY_STAGES


def on_my_way_button(principal: Principal, journey_id: int, view: WorkflowView, run: Run,
                     notify: Notify) -> ui.button | None:
    """The button, on a crew member's page of a journey at pickup (None elsewhere); shown only while
    `shows_on_my_way` (the page updates that in place: `set_visibility`, no redraw). `run` is the
    page's action runner (one action at a time, refusals shown, then a reload)."""
    if not view.viewer_is_crew or view.current_phase is not Phase.PICKUP:
        return None

    async def tell() -> None:
        told = await tell_customer_on_my_way(principal, journey_id)
        notify(told.words, "positive" if told.sent else "info", 8000)

    button = tid(ui.button("On my way — tell the customer", icon="near_me", on_click=lambda: run(tell)).props(
        "unelevated no-caps size=lg color=primary").classes("w-full").style(TOUCH), "on-my-way")
    button.set_visibility(shows_on_my_way(view))
    return button
