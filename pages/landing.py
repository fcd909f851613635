"""The landing page of each role area (their full content comes with the feature issues)."""

from __future__ import annotations

from nicegui import ui

from components.nav import app_header
from db.enums import Role
from domain.rbac import DESKTOP_ROLES, Principal
from pages.session import guarded_page


def dashboard(principal: Principal) -> None:
    app_header(principal)
    ui.label("Dispatch board").classes("text-h5").props('data-testid="page-title"')


def super_admin(principal: Principal) -> None:
    app_header(principal)
    ui.label("Companies").classes("text-h5").props('data-testid="page-title"')


def register() -> None:
    guarded_page("/dashboard", roles=DESKTOP_ROLES, title="Board · C&C CRM")(dashboard)
    guarded_page("/super-admin", roles={Role.SUPER_ADMIN}, title="Super admin · C&C CRM")(super_admin)
