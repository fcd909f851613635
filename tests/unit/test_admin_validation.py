"""Company administration refuses bad input with a clear error — and changes nothing at all
(every administration table, audit trail included, is compared row by row before and after)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from db.enums import Role
from domain.admin import locations as admin_locations
from domain.admin import trucks as admin_trucks
from domain.admin import users as admin_users
from domain.admin import companies
from domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tests.world import World, build_world, fingerprint


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


def _new_user(**overrides: Any) -> dict[str, Any]:
    return {"email": "new.person@alpha.test", "full_name": "New Person", "role": "DISPATCHER",
            "password": "long-enough-pw", **overrides}


async def _refused(action: Callable[[], Awaitable[Any]], error: type[DomainError], *needles: str) -> DomainError:
    before = await fingerprint()
    with pytest.raises(error) as caught:
        await action()
    assert await fingerprint() == before, "a refused write changed something"
    for needle in needles:
        assert needle in caught.value.message, (needle, caught.value.message)
    return caught.value


CASES: dict[str, Callable[[World], tuple[Callable[[], Awaitable[Any]], type[DomainError], tuple[str, ...]]]] = {
    "duplicate email, other case": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(email="ADMIN@Beta.TEST")), Conflict, ("already exists",)),
    "duplicate email on edit": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.dispatcher_a.user_id, {"email": "Mover@alpha.test"}),
        Conflict, ("already exists",)),
    "password of 9 characters": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(password="123456789")), ValidationFailed,
        ("at least 10 characters",)),
    "reset to a short password": lambda w: (
        lambda: admin_users.reset_password(w.admin_a, w.mover_a.user_id, "short"), ValidationFailed,
        ("at least 10 characters",)),
    "no password": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(password=None)), ValidationFailed,
        ("Password is required",)),
    "unknown location": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(locations=[{"location_id": 999999, "kind": "ASSIGNED"}])),
        ValidationFailed, ("unknown location", "999999")),
    "location of another company": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(locations=[{"location_id": w.b1, "kind": "MANAGED"}])),
        Forbidden, ("another company",)),
    "edit links to another company's location": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.mover_a.user_id,
                                        {"locations": [{"location_id": w.b1, "kind": "ASSIGNED"}]}),
        Forbidden, ("another company",)),
    "bad link kind": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(locations=[{"location_id": w.a1, "kind": "OWNED"}])),
        ValidationFailed, ("ASSIGNED or MANAGED",)),
    "admin grants SUPER_ADMIN on create": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(role="SUPER_ADMIN")), Forbidden, ("SUPER_ADMIN",)),
    "admin grants SUPER_ADMIN on edit": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.dispatcher_a.user_id, {"role": "SUPER_ADMIN"}), Forbidden,
        ("SUPER_ADMIN",)),
    "unknown role": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(role="CEO")), ValidationFailed, ("Role must be one of",)),
    "invalid email and empty name": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(email="not-an-email", full_name="  ")), ValidationFailed,
        ("Email is not a valid email address", "Full name is required")),
    "admin creates a user in another company": lambda w: (
        lambda: admin_users.create_user(w.admin_a, _new_user(company_id=w.company_b)), Forbidden, ("own company",)),
    "admin edits another company's user": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.admin_b.user_id, {"full_name": "Taken Over"}), NotFound,
        ("not found",)),
    "admin deactivates another company's user": lambda w: (
        lambda: admin_users.deactivate_user(w.admin_a, w.admin_b.user_id), NotFound, ("not found",)),
    "admin resets another company's password": lambda w: (
        lambda: admin_users.reset_password(w.admin_a, w.admin_b.user_id, "long-enough-pw"), NotFound,
        ("not found",)),
    "admin deactivates themselves": lambda w: (
        lambda: admin_users.deactivate_user(w.admin_a, w.admin_a.user_id), ValidationFailed, ("your own account",)),
    "admin demotes themselves": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.admin_a.user_id, {"role": "MOVER"}), ValidationFailed,
        ("your own role",)),
    "dispatcher creates a user": lambda w: (
        lambda: admin_users.create_user(w.dispatcher_a, _new_user()), Forbidden, ("DISPATCHER",)),
    "super admin without a company": lambda w: (
        lambda: admin_users.create_user(w.super_admin, _new_user()), ValidationFailed, ("choose the company",)),
    "super admin names an unknown company": lambda w: (
        lambda: admin_users.create_user(w.super_admin, _new_user(company_id=424242)), NotFound, ("424242",)),
    "unknown user": lambda w: (
        lambda: admin_users.update_user(w.admin_a, 424242, {"full_name": "X"}), NotFound, ("not found",)),
    "unknown field": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.mover_a.user_id, {"password_hash": "x"}), ValidationFailed,
        ("unknown field(s): password_hash",)),
    "nothing to change": lambda w: (
        lambda: admin_users.update_user(w.admin_a, w.mover_a.user_id, {"role": "MOVER"}), ValidationFailed,
        ("nothing to change",)),
    "reactivate an active user": lambda w: (
        lambda: admin_users.reactivate_user(w.admin_a, w.mover_a.user_id), Conflict, ("already active",)),
    "duplicate location name, other case": lambda w: (
        lambda: admin_locations.create_location(w.admin_a, {"name": "alpha NORTH", "timezone": "America/Toronto"}),
        Conflict, ("already exists",)),
    "bad time zone and latitude": lambda w: (
        lambda: admin_locations.create_location(w.admin_a, {"name": "Alpha East", "timezone": "Mars/Olympus",
                                                             "lat": 123.0}),
        ValidationFailed, ("Time zone is not a known time zone", "Latitude must be between -90 and 90")),
    "admin edits another company's location": lambda w: (
        lambda: admin_locations.update_location(w.admin_a, w.b1, {"name": "Mine now"}), NotFound,
        ("not found",)),
    "admin creates a location in another company": lambda w: (
        lambda: admin_locations.create_location(w.admin_a, {"name": "X", "timezone": "UTC",
                                                             "company_id": w.company_b}), Forbidden, ("own company",)),
    "duplicate truck number, other case": lambda w: (
        lambda: admin_trucks.create_truck(w.admin_a, {"number": "a-100", "location_id": w.a2}), Conflict,
        ("already exists",)),
    "truck at another company's location": lambda w: (
        lambda: admin_trucks.create_truck(w.admin_a, {"number": "A-200", "location_id": w.b1}), Forbidden,
        ("another company",)),
    "truck at an unknown location": lambda w: (
        lambda: admin_trucks.create_truck(w.admin_a, {"number": "A-200", "location_id": 999999}), ValidationFailed,
        ("unknown location",)),
    "admin edits another company's truck": lambda w: (
        lambda: admin_trucks.update_truck(w.admin_a, w.truck_b, {"size": "tiny"}), NotFound, ("not found",)),
    "admin deactivates another company's truck": lambda w: (
        lambda: admin_trucks.deactivate_truck(w.admin_a, w.truck_b), NotFound, ("not found",)),
    "admin creates a company": lambda w: (
        lambda: companies.create_company(w.admin_a, {"name": "Gamma"}), Forbidden, ("super admin",)),
    "admin suspends a company": lambda w: (
        lambda: companies.suspend_company(w.admin_a, w.company_a), Forbidden, ("super admin",)),
    "duplicate company name, other case": lambda w: (
        lambda: companies.create_company(w.super_admin, {"name": "BETA movers"}), Conflict, ("already exists",)),
    "rename onto a taken company name": lambda w: (
        lambda: companies.update_company(w.super_admin, w.company_a, {"name": "Beta Movers"}), Conflict,
        ("already exists",)),
    "company with a bad time zone": lambda w: (
        lambda: companies.create_company(w.super_admin, {"name": "Gamma", "timezone": "Nowhere"}), ValidationFailed,
        ("Time zone",)),
    "company name too long": lambda w: (
        lambda: companies.create_company(w.super_admin, {"name": "G" * 201}), ValidationFailed,
        ("at most 200 characters",)),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_refused_and_changes_nothing(world: World, case: str) -> None:
    action, error, needles = CASES[case](world)
    await _refused(action, error, *needles)


async def test_a_truck_number_taken_in_another_company_is_fine(world: World) -> None:
    truck = await admin_trucks.create_truck(world.admin_a, {"number": "B-100", "location_id": world.a2})
    assert truck["number"] == "B-100" and truck["company_id"] == world.company_a


async def test_renumbering_a_truck_onto_a_taken_number_is_409(world: World) -> None:
    other = await admin_trucks.create_truck(world.admin_a, {"number": "A-101", "location_id": world.a1})
    await _refused(lambda: admin_trucks.update_truck(world.admin_a, other["id"], {"number": "a-100"}), Conflict,
                   "already exists")


async def test_a_super_admin_may_create_a_super_admin_but_not_inside_a_company(world: World) -> None:
    created = await admin_users.create_user(world.super_admin, _new_user(email="root2@ccrm.test", role="SUPER_ADMIN"))
    assert created["role"] == Role.SUPER_ADMIN.value and created["company_id"] is None
    await _refused(lambda: admin_users.create_user(world.super_admin, _new_user(role="SUPER_ADMIN",
                                                                                 company_id=world.company_a)),
                   ValidationFailed, "belongs to no company")
