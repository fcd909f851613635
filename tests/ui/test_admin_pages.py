"""The administration screens through NiceGUI's simulated user: users (create, duplicate email,
short password, edit, deactivate, reset password), locations, trucks, companies, and the
audit page with its CSV download; sign-out and refused sign-ins on the login page."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nicegui import ui
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select, update

from db.enums import CompanyStatus, UserStatus
from db.models import AuditEntry, Company, Journey, Truck, User
from domain.admin.bookings import user_bookings_from_today
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import count, eventually, sign_in
from tests.world import WORLD_PASSWORD, World, build_world


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


def _element(user: SimulatedUser, marker: str) -> Any:
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, (marker, elements)
    return next(iter(elements))


def _rows(user: SimulatedUser, marker: str) -> list[dict[str, Any]]:
    return _element(user, marker).rows


def _set(user: SimulatedUser, marker: str, value: Any) -> None:
    with user.client:
        _element(user, marker).value = value


async def _fill_new_user(user: SimulatedUser, email: str, password: str, world: World) -> None:
    user.find(marker="new-user").click()
    await user.should_see(marker="users-form-email", retries=100)
    user.find(marker="users-form-email").type(email)
    user.find(marker="users-form-full_name").type("Robin Road")
    user.find(marker="users-form-role").click()
    user.find("Driver").click()
    user.find(marker="users-form-password").type(password)
    _set(user, "users-form-assigned", [world.a1])


async def test_an_admin_creates_a_user_and_sees_it(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    await user.should_see("Users")
    assert {r["email"] for r in _rows(user, "users-table")} == {"admin@alpha.test", "dispatch@alpha.test",
                                                                 "mover@alpha.test"}
    await _fill_new_user(user, "robin.road@alpha.test", "robin-password-1", world)
    user.find(marker="users-form-save").click()
    await user.should_see("User created", retries=100)
    await eventually(lambda: "robin.road@alpha.test" in {r["email"] for r in _rows(user, "users-table")})
    row = next(r for r in _rows(user, "users-table") if r["email"] == "robin.road@alpha.test")
    assert (row["role"], row["status"], row["locations"]) == ("Driver", "ACTIVE", "1 assigned")
    assert _element(user, "users-table-summary").text == "1–4 of 4"
    async with read_session() as s:
        created = await s.scalar(select(User).where(User.email == "robin.road@alpha.test"))
    assert created.company_id == world.company_a
    assert [(link.location_id, link.kind.value) for link in created.location_links] == [(world.a1, "ASSIGNED")]
    async with read_session() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "create", AuditEntry.entity == "user"))
    assert entry.actor_email == "admin@alpha.test" and entry.ip  # the browser's address, from the page event


async def test_a_duplicate_email_is_shown_in_the_dialog_and_nothing_is_created(world: World,
                                                                              user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    users_before = await count(User)
    await _fill_new_user(user, "Mover@Alpha.test", "robin-password-1", world)
    user.find(marker="users-form-save").click()
    await eventually(lambda: "already exists" in _element(user, "users-form-error").text)
    await user.should_see(marker="users-form-save")  # the dialog stays open to fix the input
    _set(user, "users-form-email", "")
    user.find(marker="users-form-email").type("robin@alpha.test")
    _set(user, "users-form-password", "short")
    user.find(marker="users-form-save").click()
    await eventually(lambda: "at least 10 characters" in _element(user, "users-form-error").text)
    assert await count(User) == users_before
    assert await count(AuditEntry, AuditEntry.action == "create") == 0


async def test_row_actions_edit_deactivate_and_reset_password(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    mover = next(r for r in _rows(user, "users-table") if r["email"] == "mover@alpha.test")
    user.find(marker="users-table").trigger("row_action", {"action": "edit", "row": mover})
    await user.should_see(marker="users-form-role", retries=100)
    _set(user, "users-form-role", "DRIVER")
    _set(user, "users-form-managed", [world.a2])
    user.find(marker="users-form-save").click()
    await eventually(lambda: next(r for r in _rows(user, "users-table")
                                  if r["email"] == "mover@alpha.test")["role"] == "Driver")
    async with read_session() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert entry.old_values == {"role": "MOVER", "locations": [[world.a1, "ASSIGNED"]]}
    assert entry.new_values == {"role": "DRIVER", "locations": [[world.a1, "ASSIGNED"], [world.a2, "MANAGED"]]}

    user.find(marker="users-table").trigger("row_action", {"action": "deactivate", "row": mover})
    await user.should_see("User deactivated", retries=100)
    await eventually(lambda: next(r for r in _rows(user, "users-table")
                                  if r["email"] == "mover@alpha.test")["status"] == "INACTIVE")
    user.find(marker="users-table").trigger("row_action", {"action": "reset_password", "row": mover})
    await user.should_see(marker="password-form-password", retries=100)
    user.find(marker="password-form-password").type("a-brand-new-password")
    user.find(marker="password-form-save").click()
    await user.should_see("Password reset", retries=100)
    assert await count(AuditEntry, AuditEntry.action == "reset_password") == 1


async def test_search_narrows_the_table(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    user.find(marker="search").type("dispatch")
    await eventually(lambda: [r["email"] for r in _rows(user, "users-table")] == ["dispatch@alpha.test"])


async def test_locations_and_trucks_pages_create_records(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/locations")
    assert [r["name"] for r in _rows(user, "locations-table")] == ["Alpha North", "Alpha South"]
    user.find(marker="new-location").click()
    await user.should_see(marker="locations-form-name", retries=100)
    user.find(marker="locations-form-name").type("Alpha East")
    _set(user, "locations-form-timezone", "America/Halifax")
    user.find(marker="locations-form-save").click()
    await eventually(lambda: "Alpha East" in [r["name"] for r in _rows(user, "locations-table")])

    await user.open("/admin/trucks")
    assert [r["number"] for r in _rows(user, "trucks-table")] == ["A-100"]
    user.find(marker="new-truck").click()
    await user.should_see(marker="trucks-form-number", retries=100)
    user.find(marker="trucks-form-number").type("a-100")
    _set(user, "trucks-form-location_id", world.a2)
    user.find(marker="trucks-form-save").click()
    await eventually(lambda: "already exists" in _element(user, "trucks-form-error").text)
    assert await count(Truck) == 2


async def test_the_super_admin_chooses_the_company_and_creates_companies(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "root@ccrm.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    assert {r["email"] for r in _rows(user, "users-table")} == {"admin@alpha.test", "dispatch@alpha.test",
                                                                 "mover@alpha.test"}
    _set(user, "company-chooser", world.company_b)
    await eventually(lambda: [r["email"] for r in _rows(user, "users-table")] == ["admin@beta.test"])

    await user.open("/super-admin/companies")
    user.find(marker="new-company").click()
    await user.should_see(marker="companies-form-name", retries=100)
    user.find(marker="companies-form-name").type("Gamma Haulers")
    user.find(marker="companies-form-save").click()
    await eventually(lambda: "Gamma Haulers" in [r["name"] for r in _rows(user, "companies-table")])
    gamma = next(r for r in _rows(user, "companies-table") if r["name"] == "Gamma Haulers")
    user.find(marker="companies-table").trigger("row_action", {"action": "suspend", "row": gamma})
    await eventually(lambda: next(r for r in _rows(user, "companies-table")
                                  if r["name"] == "Gamma Haulers")["status"] == "SUSPENDED")


async def test_the_audit_page_filters_pages_and_downloads_csv(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/audit")
    await user.should_see("Audit trail")
    assert [r["action"] for r in _rows(user, "audit-table")] == ["Signed in"]  # in words; the CSV keeps "login"
    _set(user, "audit-action", "login")
    user.find(marker="audit-apply").click()
    await eventually(lambda: len(_rows(user, "audit-table")) == 1)
    user.find(marker="audit-download").click()
    response = await user.download.next()
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["id", "at"] and [r[5] for r in rows[1:]] == ["login"]
    await user.should_see("1 rows exported", retries=100)
    _set(user, "audit-from", "2026-13-40")
    user.find(marker="audit-apply").click()
    await user.should_see("From must be a date (YYYY-MM-DD)", retries=100)


async def test_the_nav_shows_the_sections_of_the_role(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/trucks")
    links = {link.text for link in user.find(ui.link).elements}
    assert {"Board", "Users", "Locations", "Trucks", "Audit"} <= links and "Companies" not in links


async def test_signing_out_on_the_page_is_audited(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/logout")
    await user.should_see("Sign in to your account")
    async with read_session() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "logout"))
    assert entry is not None and entry.actor_email == "admin@alpha.test"


@pytest.mark.parametrize(("change", "message"), [
    ("user_inactive", "this account is not active"),
    ("user_suspended", "this account is not active"),
    ("company_suspended", "company's account is suspended"),
])
async def test_refused_accounts_see_why_on_the_login_page(world: World, user: SimulatedUser, change: str,
                                                         message: str) -> None:
    async with unit_of_work() as s:
        if change == "company_suspended":
            await s.execute(update(Company).where(Company.id == world.company_a).values(status=CompanyStatus.SUSPENDED))
        else:
            status = UserStatus.INACTIVE if change == "user_inactive" else UserStatus.SUSPENDED
            await s.execute(update(User).where(User.email == "dispatch@alpha.test").values(status=status))
    await user.open("/login")
    user.find(marker="email").type("dispatch@alpha.test")
    user.find(marker="password").type(WORLD_PASSWORD)
    user.find(marker="sign-in").click()
    await user.should_see(message, retries=100)
    await user.open("/board")
    await user.should_see("Sign in to your account")


async def test_deactivating_a_truck_booked_today_asks_first_and_names_the_journey(
        world: World, user: SimulatedUser) -> None:
    today = today_in("America/Toronto")
    start = datetime.combine(today, time(23, 0), ZoneInfo("America/Toronto"))
    async with unit_of_work() as s:
        s.add(Journey(company_id=world.company_a, location_id=world.a1, journey_date=today, truck_id=world.truck_a,
                      customer_name="Booked Betty", scheduled_start=start, scheduled_end=start + timedelta(minutes=30)))
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/trucks")
    truck = next(r for r in _rows(user, "trucks-table") if r["number"] == "A-100")
    user.find(marker="trucks-table").trigger("row_action", {"action": "deactivate", "row": truck})
    await user.should_see(marker="booked-journeys", retries=100)
    await user.should_see("Deactivate A-100?")
    await user.should_see("Booked Betty (Manual job)")
    user.find(marker="keep-active").click()
    async with read_session() as s:
        assert await s.scalar(select(Truck.active).where(Truck.id == world.truck_a)) is True
    user.find(marker="trucks-table").trigger("row_action", {"action": "deactivate", "row": truck})
    await user.should_see(marker="confirm-deactivate", retries=100)
    user.find(marker="confirm-deactivate").click()
    await user.should_see("Truck deactivated", retries=100)
    async with read_session() as s:
        assert await s.scalar(select(Truck.active).where(Truck.id == world.truck_a)) is False


async def test_a_person_booked_on_nothing_is_deactivated_at_once(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    mover = next(r for r in _rows(user, "users-table") if r["email"] == "mover@alpha.test")
    assert await user_bookings_from_today(world.admin_a, mover["id"]) == []
    user.find(marker="users-table").trigger("row_action", {"action": "deactivate", "row": mover})
    await user.should_see("User deactivated", retries=100)
    await user.should_not_see(marker="booked-journeys")


async def test_last_sign_in_reads_in_the_company_zone_labelled(world: World, user: SimulatedUser) -> None:
    await sign_in(user, "admin@alpha.test", WORLD_PASSWORD)
    await user.open("/admin/users")
    await user.should_see("Users")
    async with read_session() as s:
        signed_in, zone = (await s.execute(select(User.last_login_at, Company.timezone).join(
            Company, Company.id == User.company_id).where(User.email == "admin@alpha.test"))).one()
    local = signed_in.replace(tzinfo=signed_in.tzinfo or ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    admin = next(r for r in _rows(user, "users-table") if r["email"] == "admin@alpha.test")
    assert admin["last_login_at"] == f"{local:%d %b %Y %H:%M} ({zone.rsplit('/', 1)[-1].replace('_', ' ')} time)"
