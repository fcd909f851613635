"""Who may open what: every role (the demo accounts) against every guarded page and every
guarded API endpoint. The expected table is written out below as data, from DESIGN.md's
"Roles and scope" — not read from the code under test — and then checked against the permission
flags of `domain.access.rbac` (`PERMISSIONS`, and the flag each page is registered with), so the
table, the flags, the pages and the navigation cannot drift apart.

A refused page sends the user to their home page, which says "You don't have access to this page.";
a refused endpoint answers 403 in the envelope. An allowed page shows no refusal (and, for the pages
of this issue, its title); an allowed endpoint answers 2xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select

from components.nav import SECTIONS
from db.enums import Role
from db.models import Company, Journey, Location, Truck, User, UserLocation
from db.seed import DEMO_PASSWORD
from domain.access.rbac import PERMISSIONS, Permission, landing_path
from domain.unit_of_work import read_session
from tests.helpers import bearer, sign_in, token_for

REFUSAL = "You don't have access to this page."

ADMIN_PAGES = {"/admin/users", "/admin/locations", "/admin/trucks"}
#: The company desk (DESIGN: "desktop" screens of ADMIN, MANAGER, DISPATCHER, AUDITOR).
DESK = {"/board", "/board/timeline", "/journeys/{journey_id}"}
#: The super admin portal.
PORTAL = {"/super-admin", "/super-admin/companies", "/super-admin/companies/{company_id}"}
#: The crew's phone screens.
PHONE = {"/mobile", "/mobile/journey/{journey_id}"}
#: The desk's lists across days and branches (journeys, customers) and the crew roster.
SEARCH = {"/journeys", "/customers", "/customers/{customer_id}"}
SEARCH_API = {"GET /api/journeys", "GET /api/journeys/export.csv", "GET /api/customers", "GET /api/customers/{id}"}
#: The crew roster (managers, dispatchers and admins of their branches).
CREW = {"/crew", "GET /api/crew"}
#: The planner (ADMIN, MANAGER and DISPATCHER plan crews and trucks across their branches).
PLANNER = {"/planner"}
#: Crew time: timesheets, approvals and corrections, payroll (managers and admins of their branches).
TIMESHEETS = {"/timesheets", "GET /api/timesheets", "GET /api/timesheets/rules"}
#: Pages every role may open (the domain decides which journeys each sees).
EVERY_ROLE_PAGES = {"/journeys/{journey_id}/status"}
#: Pages anyone may open, signed in or not, or that only redirect (the board's old addresses).
#: `/track/{token}` is the customer's tracking page: the token is the key (tests/customer).
OPEN_PAGES = {"/login", "/login/complete", "/logout", "/", "/dashboard", "/dashboard/timeline", "/track/{token}"}
#: Every endpoint any signed-in role may call.
EVERYONE = {"GET /api/auth/me", "POST /api/auth/logout"}
#: Company administration (DESIGN: ADMIN "users, locations, trucks"; SUPER_ADMIN "everything").
ADMINISTRATION = {
    f"{verb} /api/admin/{kind}{suffix}"
    for kind in ("users", "locations", "trucks")
    for verb, suffix in (("GET", ""), ("GET", "/{id}"), ("POST", ""), ("PATCH", "/{id}"),
                         ("POST", "/{id}/deactivate"), ("POST", "/{id}/reactivate"))
} | {"POST /api/admin/users/{id}/reset-password"}
#: Companies (DESIGN: only SUPER_ADMIN "sees every company ... incl. companies").
COMPANIES = {"GET /api/super-admin/companies", "GET /api/super-admin/companies/{id}",
             "POST /api/super-admin/companies", "PATCH /api/super-admin/companies/{id}",
             "POST /api/super-admin/companies/{id}/suspend", "POST /api/super-admin/companies/{id}/reactivate",
             "POST /api/super-admin/auth/login"}
#: The audit trail (DESIGN: AUDITOR "read, export"; ADMIN runs the company; SUPER_ADMIN everything).
AUDIT = {"GET /api/audit", "GET /api/audit/export.csv"}

ALLOWED: dict[Role, set[str]] = {
    Role.SUPER_ADMIN: {*PORTAL, "/audit", *ADMIN_PAGES, *EVERY_ROLE_PAGES,
                       *EVERYONE, *ADMINISTRATION, *COMPANIES, *AUDIT},
    Role.ADMIN: {*DESK, "/approvals", "/admin/workflow", "/audit", *ADMIN_PAGES, *EVERY_ROLE_PAGES,
                 *EVERYONE, *ADMINISTRATION, *AUDIT, *SEARCH, *SEARCH_API, *CREW, *PLANNER, *TIMESHEETS},
    Role.MANAGER: {*DESK, "/approvals", *EVERY_ROLE_PAGES, *EVERYONE, *SEARCH, *SEARCH_API, *CREW, *PLANNER,
                   *TIMESHEETS},
    Role.DISPATCHER: {*DESK, "/approvals", *EVERY_ROLE_PAGES, *EVERYONE, *SEARCH, *SEARCH_API, *CREW, *PLANNER},
    Role.DRIVER: {*PHONE, *EVERY_ROLE_PAGES, *EVERYONE},
    Role.MOVER: {*PHONE, *EVERY_ROLE_PAGES, *EVERYONE},
    Role.AUDITOR: {*DESK, "/audit", *EVERY_ROLE_PAGES, *EVERYONE, *AUDIT, *SEARCH, *SEARCH_API},
}

#: Every guarded page, as registered (path parameters in braces).
GUARDED = (ADMIN_PAGES | DESK | PORTAL | PHONE | EVERY_ROLE_PAGES | SEARCH | {"/crew", "/timesheets"} | PLANNER
           | {"/approvals", "/admin/workflow", "/audit"})
#: The pages opened by the simulated user (those without path parameters).
PAGES = sorted(path for path in GUARDED if "{" not in path)
#: Titles of the pages this issue built (the landing pages belong to other issues).
TITLES = {"/admin/users": "Users", "/admin/locations": "Locations", "/admin/trucks": "Trucks",
          "/audit": "Audit trail", "/super-admin/companies": "Companies", "/journeys": "Journeys", "/crew": "Crew",
          "/customers": "Customers", "/planner": "Planner", "/timesheets": "Timesheets"}


async def _targets() -> dict[str, int]:
    """Records of the demo company the endpoints act on (none of them a demo account)."""
    async with read_session() as s:
        company = await s.scalar(select(Company.id))
        user = await s.scalar(select(User.id).where(User.role == Role.MOVER, User.email != "mover@demo.ccrm")
                              .order_by(User.id.desc()))
        location = await s.scalar(select(Location.id).order_by(Location.id.desc()))
        truck = await s.scalar(select(Truck.id).order_by(Truck.id.desc()))
        desk = select(UserLocation.location_id).join(User, User.id == UserLocation.user_id).where(
            User.email == "dispatcher@demo.ccrm")  # a branch of the manager's and the dispatcher's
        journey = await s.scalar(select(Journey.id).where(Journey.location_id.in_(desk)).order_by(Journey.id))
    return {"company": company, "users": user, "locations": location, "trucks": truck, "journey": journey}


def _calls(t: dict[str, int], email: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(name in the table, concrete path, JSON body) in an order where each write can succeed."""
    company = t["company"]
    bodies = {
        "users": {"email": "matrix.person@demo.test", "full_name": "Matrix Person", "role": "MOVER",
                  "password": "matrix-password", "company_id": company},
        "locations": {"name": "Matrix Branch", "timezone": "America/Toronto", "company_id": company},
        "trucks": {"number": "MATRIX-1", "location_id": t["locations"], "company_id": company},
    }
    edits = {"users": {"full_name": "Matrix Edited"}, "locations": {"phone": "555-0100"}, "trucks": {"size": "99 ft"}}
    calls: list[tuple[str, str, dict[str, Any] | None]] = [("GET /api/auth/me", "/api/auth/me", None)]
    for kind in ("users", "locations", "trucks"):
        one = f"/api/admin/{kind}/{t[kind]}"
        calls += [
            (f"GET /api/admin/{kind}", f"/api/admin/{kind}", None),
            (f"GET /api/admin/{kind}/{{id}}", one, None),
            (f"POST /api/admin/{kind}", f"/api/admin/{kind}", bodies[kind]),
            (f"PATCH /api/admin/{kind}/{{id}}", one, edits[kind]),
            (f"POST /api/admin/{kind}/{{id}}/deactivate", f"{one}/deactivate", None),
            (f"POST /api/admin/{kind}/{{id}}/reactivate", f"{one}/reactivate", None),
        ]
    calls.append(("POST /api/admin/users/{id}/reset-password", f"/api/admin/users/{t['users']}/reset-password",
                  {"password": "matrix-reset-pw"}))
    companies = f"/api/super-admin/companies/{company}"
    calls += [
        ("GET /api/super-admin/companies", "/api/super-admin/companies", None),
        ("GET /api/super-admin/companies/{id}", companies, None),
        ("POST /api/super-admin/companies", "/api/super-admin/companies", {"name": "Matrix Movers"}),
        ("PATCH /api/super-admin/companies/{id}", companies, {"timezone": "America/Vancouver"}),
        ("POST /api/super-admin/companies/{id}/suspend", f"{companies}/suspend", None),
        ("POST /api/super-admin/companies/{id}/reactivate", f"{companies}/reactivate", None),
        ("POST /api/super-admin/auth/login", "/api/super-admin/auth/login",
         {"email": email, "password": DEMO_PASSWORD}),
        ("GET /api/audit", "/api/audit", None),
        ("GET /api/audit/export.csv", "/api/audit/export.csv", None),
        *((name, name.split()[1], None) for name in sorted(SEARCH_API | {"GET /api/crew"}) if "{" not in name),
        ("GET /api/customers/{id}", f"/api/customers/{t['journey']}", None),
        ("GET /api/timesheets", "/api/timesheets?date_from=2026-11-02&date_to=2026-11-08", None),
        ("GET /api/timesheets/rules", "/api/timesheets/rules", None),
        ("POST /api/auth/logout", "/api/auth/logout", None),
    ]
    return calls


def test_the_table_covers_every_route_of_this_issue() -> None:
    """Each API route this issue added appears in the table, so none escapes the matrix."""
    from api import access as auth
    from api import audit
    from api.admin import companies
    from api.admin import records as admin
    from api import crew, customers
    from api.journeys import search
    from app import build  # noqa: F401  (importing app is enough to build the routers)

    routes = {f"{m} {r.path}".replace("{entity_id}", "{id}").replace("{customer_id}", "{id}")
              for router in (admin.router, audit.router, auth.router, companies.router, search.router,
                                   crew.router, customers.router)
              for r in router.routes for m in r.methods}
    tested = EVERYONE | ADMINISTRATION | COMPANIES | AUDIT | SEARCH_API | {"GET /api/crew", "POST /api/auth/login"}
    assert routes == tested


async def test_every_page_is_guarded_by_one_permission_flag(db: str, user: SimulatedUser) -> None:
    """Every page of the app but the open ones goes through `guarded_page` with a flag, and the
    table above lists each of them."""
    from nicegui import app

    from pages.access.session import GUARDED_PAGES

    pages = {route.path for route in app.routes
             if getattr(route, "endpoint", None) is not None and route.endpoint.__module__.startswith("pages.")}
    assert pages - OPEN_PAGES == set(GUARDED_PAGES) == GUARDED
    assert all(isinstance(flag, Permission) for flag in GUARDED_PAGES.values())


@pytest.mark.parametrize("role", list(Role))
async def test_the_table_is_what_the_flags_of_the_role_open(db: str, user: SimulatedUser, role: Role) -> None:
    """A page is open to a role exactly when the role has the page's flag; the navigation shows a
    section exactly when its page is open; and the role's home page is one of its own."""
    from pages.access.session import GUARDED_PAGES

    flags = PERMISSIONS[role]
    assert {path for path, flag in GUARDED_PAGES.items() if flag in flags} == ALLOWED[role] & GUARDED
    for _label, path, flag in SECTIONS:
        assert GUARDED_PAGES[path] is flag, path
    assert landing_path(role) in ALLOWED[role]


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_exactly_what_the_design_allows(demo: str, user: SimulatedUser, role: Role) -> None:
    email = f"{role.value.lower().replace('_', '')}@demo.ccrm"
    allowed = ALLOWED[role]
    await sign_in(user, email)

    for path in PAGES:
        await user.open(path)
        if path in allowed:
            await user.should_not_see(REFUSAL)
            await user.should_not_see("Sign in to your account")
            if path in TITLES:
                await user.should_see(TITLES[path])
        else:
            await user.should_see(REFUSAL)

    token = await token_for(user.http_client, email)
    outcomes: dict[str, int] = {}
    for name, path, body in _calls(await _targets(), email):
        method = name.split()[0]
        response = await user.http_client.request(method, path, json=body, headers=bearer(token))
        outcomes[name] = response.status_code
        if response.status_code >= 400:
            assert response.json()["success"] is False
    expected = {name: ("allowed" if name in allowed else "403") for name in outcomes}
    actual = {name: ("allowed" if 200 <= code < 300 else str(code)) for name, code in outcomes.items()}
    assert actual == expected
