"""The desktop header: app name, the sections the role may open, who is signed in, sign out."""

from __future__ import annotations

from nicegui import ui

from domain.access.rbac import Permission, Principal, role_label
from domain.mail.service import SENT_MAIL_PATH, demo_mail_server

#: (label, path, permission) of the desktop sections; each is shown to the roles its page is open to.
SECTIONS: list[tuple[str, str, Permission]] = [
    ("Board", "/board", Permission.USE_BOARD),
    ("Planner", "/planner", Permission.USE_PLANNER),
    ("Journeys", "/journeys", Permission.SEARCH_JOURNEYS),
    ("Customers", "/customers", Permission.VIEW_CUSTOMERS),
    ("Crew", "/crew", Permission.VIEW_CREW_ROSTER),
    ("Approvals", "/approvals", Permission.USE_APPROVAL_QUEUE),
    ("Timesheets", "/timesheets", Permission.MANAGE_TIMESHEETS),
    ("Portal", "/super-admin", Permission.VIEW_ALL_COMPANIES),
    ("Companies", "/super-admin/companies", Permission.VIEW_ALL_COMPANIES),
    ("Users", "/admin/users", Permission.MANAGE_COMPANY),
    ("Locations", "/admin/locations", Permission.MANAGE_COMPANY),
    ("Trucks", "/admin/trucks", Permission.MANAGE_COMPANY),
    ("Workflow", "/admin/workflow", Permission.EDIT_WORKFLOW_TEMPLATE),
    ("Audit", "/audit", Permission.VIEW_AUDIT),
]
#: Shown while the demo's local mail server runs.
DEMO_SECTIONS: list[tuple[str, str, Permission]] = [("Sent mail", SENT_MAIL_PATH, Permission.MANAGE_COMPANY)]


def app_header(principal: Principal) -> None:
    with ui.header().classes("items-center justify-between bg-primary"):
        with ui.row().classes("items-center gap-6"):
            ui.label("C&C CRM").classes("text-h6")
            for label, path, permission in SECTIONS + (DEMO_SECTIONS if demo_mail_server() else []):
                if principal.can(permission):
                    ui.link(label, path).classes("text-white no-underline")
        with ui.row().classes("items-center gap-3"):
            ui.label(f"{principal.full_name} · {role_label(principal.role)}").props(
                'data-testid="whoami"'
            )
            ui.button(icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
                'flat round color=white aria-label="Sign out"'
            )
