"""The journey page's customer link: where the tracking link was sent and until when, and the
Revoke button for office users who may edit the journey."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from components.testid import tid
from domain.access.rbac import Permission, Principal
from domain.customer.links import LinkState, customer_link_state, revoke_customer_links
from domain.customer.messages import until_words
from domain.customer.settings import set_tracking_shows_money, tracking_shows_money
from domain.errors import DomainError


def link_words(state: LinkState | None) -> str:
    if state is None:
        return "No tracking link sent yet (the crew sends it with On my way)."
    sent = f"Link sent to {state.sent_to} at {state.sent_at:%d %b %H:%M}"
    if state.revoked_at is not None:
        return f"{sent} · revoked at {state.revoked_at:%d %b %H:%M}"
    if not state.active:
        return f"{sent} · expired"
    return f"{sent} · expires {until_words(state.expires_at, state.timezone)}"


async def customer_link_panel(principal: Principal, journey_id: int, redraw: Callable[[], Awaitable[None]]) -> None:
    state = await customer_link_state(principal, journey_id)

    async def revoke() -> None:
        try:
            count = await revoke_customer_links(principal, journey_id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        ui.notify("The customer's link no longer works" + (f" ({count} links)" if count > 1 else ""),
                  type="positive")
        await redraw()

    with tid(ui.card().props("flat bordered").classes("w-full gap-2"), "customer-link"):
        ui.label("Customer tracking link").classes("text-subtitle2")
        with ui.row().classes("w-full items-center justify-between"):
            tid(ui.label(link_words(state)), "customer-link-words")
            if state is not None and state.active and principal.can(Permission.EDIT_JOBS):
                tid(ui.button("Revoke link", icon="link_off", on_click=revoke).props(
                    "outline no-caps color=negative"), "revoke-link")
        if principal.can(Permission.MANAGE_COMPANY) and principal.company_id is not None:
            await _money_switch(principal)


async def _money_switch(principal: Principal) -> None:
    """The company-wide choice, for its admins, where they see the link."""

    async def change(shows: bool) -> None:
        try:
            await set_tracking_shows_money(principal, shows)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        ui.notify("Tracking pages now show the estimated value" if shows
                  else "Tracking pages no longer show money", type="positive")

    tid(ui.switch("Every tracking page of the company shows the estimated value",
                  value=await tracking_shows_money(principal),
                  on_change=lambda event: change(bool(event.value))), "tracking-money")
