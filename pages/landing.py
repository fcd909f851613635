"""Landing pages of the role areas still to be built (the board lives in `pages.dispatcher`)."""

from __future__ import annotations

from nicegui import ui

from domain.rbac import CREW_ROLES, Principal
from pages.session import guarded_page


def mobile(principal: Principal) -> None:
    with ui.column().classes("w-full p-3 gap-3"):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("My journeys").classes("text-h6").props('data-testid="page-title"')
            ui.button(icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
                'flat round size=lg aria-label="Sign out"'
            )
        ui.label(f"Hello, {principal.full_name}").classes("text-grey-7")


def register() -> None:
    guarded_page("/mobile", roles=CREW_ROLES, title="My journeys · C&C CRM")(mobile)
