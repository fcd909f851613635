"""Landing pages of the role areas still to be built (the board lives in `pages.dispatcher`,
the crew's pages in `pages.mobile`)."""

from __future__ import annotations

from nicegui import ui

from components.nav import app_header
from db.enums import Role
from domain.rbac import Principal
from pages.session import guarded_page


def super_admin(principal: Principal) -> None:
    app_header(principal)
    ui.label("Companies").classes("text-h5").props('data-testid="page-title"')


def register() -> None:
    guarded_page("/super-admin", roles={Role.SUPER_ADMIN}, title="Super admin · C&C CRM")(super_admin)
