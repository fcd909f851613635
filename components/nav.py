"""The desktop header: app name, the sections the role may open, who is signed in, sign out."""

from __future__ import annotations

from nicegui import ui

from db.enums import Role
from domain.access.rbac import Principal

_ADMINS = frozenset({Role.ADMIN, Role.SUPER_ADMIN})

#: (label, path, roles) of the desktop sections; a role sees only its own.
SECTIONS: list[tuple[str, str, frozenset[Role]]] = [
    ("Board", "/dashboard", frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AUDITOR})),
    ("Approvals", "/approvals", frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})),
    ("Portal", "/super-admin", frozenset({Role.SUPER_ADMIN})),
    ("Companies", "/super-admin/companies", frozenset({Role.SUPER_ADMIN})),
    ("Users", "/admin/users", _ADMINS),
    ("Locations", "/admin/locations", _ADMINS),
    ("Trucks", "/admin/trucks", _ADMINS),
    ("Workflow", "/admin/workflow", frozenset({Role.ADMIN})),
    ("Audit", "/audit", frozenset({Role.ADMIN, Role.AUDITOR, Role.SUPER_ADMIN})),
]


def app_header(principal: Principal) -> None:
    with ui.header().classes("items-center justify-between bg-primary"):
        with ui.row().classes("items-center gap-6"):
            ui.label("C&C CRM").classes("text-h6")
            for label, path, roles in SECTIONS:
                if principal.role in roles:
                    ui.link(label, path).classes("text-white no-underline")
        with ui.row().classes("items-center gap-3"):
            ui.label(f"{principal.full_name} · {principal.role.value.replace('_', ' ').title()}").props(
                'data-testid="whoami"'
            )
            ui.button(icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
                'flat round color=white aria-label="Sign out"'
            )
