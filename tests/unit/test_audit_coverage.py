"""Every write path leaves an audit entry.

Writes are declared with `domain.audit.audited_write`. This test
1. calls every registered function with valid input (one recipe each, below) and checks that
   it added at least one AuditEntry — with an action and an entity, and never a password hash;
2. walks every module of the `domain` package and fails for any public coroutine function that
   is neither registered nor listed in READS below: a write nobody declared cannot slip in.

Public coroutines whose first parameter is `session` are building blocks used inside a
caller's transaction (the caller is the registered entry point), so they are not listed.
When you add a write: decorate it, call `audit.record` in it, and add its recipe here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

import domain
from db.enums import CompanyStatus, UserStatus
from db.models import AuditEntry, Company, Location, Truck, User
from domain.audit import audited_write, audited_writes
from domain.audit_log import AuditFilters
from domain.unit_of_work import read_session, unit_of_work
from tests.world import WORLD_PASSWORD, World, build_world

MODULES = [importlib.import_module(f"domain.{m.name}") for m in pkgutil.iter_modules(domain.__path__)]

#: Public coroutines of `domain` that only read (each checked to exist, so the list stays true).
READS = {
    "domain.admin_users.list_users", "domain.admin_users.get_user",
    "domain.admin_locations.list_locations", "domain.admin_locations.get_location",
    "domain.admin_locations.location_options",
    "domain.admin_trucks.list_trucks", "domain.admin_trucks.get_truck",
    "domain.companies.list_companies", "domain.companies.get_company", "domain.companies.company_options",
    "domain.audit_log.list_audit_entries", "domain.audit_log.audit_filter_choices",
    "domain.tenancy.read_owned", "domain.health.check_health",
    "domain.approvals.awaiting_approval", "domain.approvals.ready_for_crew",
    "domain.crew_journeys.my_journeys", "domain.crew_journeys.journey_card", "domain.media.media_file",
    "domain.phase_template.company_template", "domain.workflow.journey_workflow",
}

Thunk = Callable[[], Awaitable[Any]]


async def _set(model: Any, row_id: int, **values: Any) -> None:
    async with unit_of_work() as s:
        await s.execute(update(model).where(model.id == row_id).values(**values))


def _now(make: Callable[[World], Thunk]) -> Callable[[World], Awaitable[Thunk]]:
    """A recipe without setup."""
    async def recipe(w: World) -> Thunk:
        return make(w)
    return recipe


def _recipes() -> dict[str, Callable[[World], Awaitable[Thunk]]]:
    from domain import admin_locations as L
    from domain import admin_trucks as T
    from domain import admin_users as U
    from domain import audit_log, auth, companies, tenancy

    async def reactivate_user(w: World) -> Thunk:
        await _set(User, w.mover_a.user_id, status=UserStatus.INACTIVE)
        return lambda: U.reactivate_user(w.admin_a, w.mover_a.user_id)

    async def reactivate_location(w: World) -> Thunk:
        await _set(Location, w.a2, active=False)
        return lambda: L.reactivate_location(w.admin_a, w.a2)

    async def reactivate_truck(w: World) -> Thunk:
        await _set(Truck, w.truck_a, active=False)
        return lambda: T.reactivate_truck(w.admin_a, w.truck_a)

    async def reactivate_company(w: World) -> Thunk:
        await _set(Company, w.company_b, status=CompanyStatus.SUSPENDED)
        return lambda: companies.reactivate_company(w.super_admin, w.company_b)

    return {
        **_workflow_recipes(),
        "domain.auth.authenticate": _now(lambda w: lambda: auth.authenticate("admin@alpha.test", WORLD_PASSWORD)),
        "domain.auth.record_logout": _now(lambda w: lambda: auth.record_logout(w.admin_a)),
        "domain.admin_users.create_user": _now(lambda w: lambda: U.create_user(w.admin_a, {
            "email": "fresh@alpha.test", "full_name": "Fresh", "role": "MOVER", "password": "long-enough-pw",
            "locations": [{"location_id": w.a1, "kind": "ASSIGNED"}]})),
        "domain.admin_users.update_user": _now(lambda w: lambda: U.update_user(w.admin_a, w.mover_a.user_id, {
            "role": "DRIVER", "locations": [{"location_id": w.a2, "kind": "MANAGED"}]})),
        "domain.admin_users.deactivate_user": _now(lambda w: lambda: U.deactivate_user(w.admin_a, w.mover_a.user_id)),
        "domain.admin_users.reactivate_user": reactivate_user,
        "domain.admin_users.reset_password": _now(lambda w: lambda: U.reset_password(
            w.admin_a, w.mover_a.user_id, "another-long-pw")),
        "domain.admin_locations.create_location": _now(lambda w: lambda: L.create_location(
            w.admin_a, {"name": "Alpha West", "timezone": "America/Toronto"})),
        "domain.admin_locations.update_location": _now(lambda w: lambda: L.update_location(
            w.admin_a, w.a1, {"city": "Toronto"})),
        "domain.admin_locations.deactivate_location": _now(lambda w: lambda: L.deactivate_location(w.admin_a, w.a2)),
        "domain.admin_locations.reactivate_location": reactivate_location,
        "domain.admin_trucks.create_truck": _now(lambda w: lambda: T.create_truck(
            w.admin_a, {"number": "A-900", "location_id": w.a2})),
        "domain.admin_trucks.update_truck": _now(lambda w: lambda: T.update_truck(
            w.admin_a, w.truck_a, {"size": "16 ft"})),
        "domain.admin_trucks.deactivate_truck": _now(lambda w: lambda: T.deactivate_truck(w.admin_a, w.truck_a)),
        "domain.admin_trucks.reactivate_truck": reactivate_truck,
        "domain.companies.create_company": _now(lambda w: lambda: companies.create_company(
            w.super_admin, {"name": "Gamma"})),
        "domain.companies.update_company": _now(lambda w: lambda: companies.update_company(
            w.super_admin, w.company_b, {"name": "Beta Movers Ltd"})),
        "domain.companies.suspend_company": _now(lambda w: lambda: companies.suspend_company(
            w.super_admin, w.company_b)),
        "domain.companies.reactivate_company": reactivate_company,
        "domain.audit_log.export_audit_csv": _now(lambda w: lambda: audit_log.export_audit_csv(
            w.admin_a, AuditFilters(entity="user"))),
        "domain.tenancy.change_state": _now(lambda w: lambda: tenancy.change_state(
            w.admin_a, Truck, "truck", w.truck_a, "active", False, "deactivate", already="inactive")),
        "domain.tenancy.create_record": _now(lambda w: lambda: tenancy.create_record(
            w.admin_a, Truck, "truck", T.TRUCK_FIELDS, {"number": "A-901", "location_id": w.a1}, unique="number",
            audited=T.AUDITED)),
        "domain.tenancy.update_record": _now(lambda w: lambda: tenancy.update_record(
            w.admin_a, Location, "location", L.LOCATION_FIELDS, w.a1, {"code": "AN"}, unique="name")),
    }


def _workflow_recipes() -> dict[str, Callable[[World], Awaitable[Thunk]]]:
    """The crew workflow's writes, on a journey with a truck and a crew (tests/journey_factory)."""
    from db.enums import ItemKind, MediaKind, Phase
    from domain import media, phase_template, workflow
    from tests.journey_factory import CREATION_ITEMS, jpeg_bytes, make_world, signature_bytes, through

    def on_journey(setup_through: Phase | None, make: Callable[[Any], Thunk]) -> Callable[[World], Awaitable[Thunk]]:
        async def recipe(_w: World) -> Thunk:
            journey = await make_world(company_name="Workflow Movers")
            if setup_through is not None:
                await through(journey, setup_through)
            return make(journey)
        return recipe

    def creation(j: Any) -> Thunk:
        return lambda: workflow.complete_phase(j["dispatcher"], j.journey_id, Phase.CREATION, CREATION_ITEMS)

    return {
        "domain.workflow.start_phase": on_journey(None, lambda j: lambda: workflow.start_phase(
            j["dispatcher"], j.journey_id, Phase.CREATION)),
        "domain.workflow.record_item": on_journey(None, lambda j: lambda: workflow.record_item(
            j["dispatcher"], j.journey_id, Phase.CREATION, "schedule_confirmed", True)),
        "domain.workflow.record_photo": on_journey(Phase.CREATION, lambda j: lambda: workflow.record_photo(
            j["driver"], j.journey_id, Phase.MORNING_PREP, "vehicle_photo", jpeg_bytes())),
        "domain.workflow.record_signature": on_journey(Phase.MORNING_PREP, lambda j: lambda: workflow.record_signature(
            j["driver"], j.journey_id, Phase.PICKUP, "pickup_signature", signature_bytes())),
        "domain.workflow.complete_phase": on_journey(None, creation),
        "domain.workflow.hand_over": on_journey(None, lambda j: lambda: workflow.hand_over(j["dispatcher"], j.journey_id)),
        "domain.workflow.approve_phase": on_journey(Phase.CREATION, lambda j: lambda: workflow.approve_phase(
            j["manager"], j.journey_id, Phase.CREATION)),
        "domain.workflow.reject_phase": on_journey(Phase.CREATION, lambda j: lambda: workflow.reject_phase(
            j["manager"], j.journey_id, Phase.CREATION, "wrong truck")),
        "domain.media.upload_media": on_journey(None, lambda j: lambda: media.upload_media(
            j["driver"], j.journey_id, MediaKind.PHOTO, jpeg_bytes())),
        "domain.phase_template.set_item_required": on_journey(None, lambda j: lambda: phase_template.set_item_required(
            j["admin"], Phase.PICKUP, "condition_photos", False)),
        "domain.phase_template.add_item": on_journey(None, lambda j: lambda: phase_template.add_item(
            j["admin"], Phase.PICKUP, "Stairs counted", ItemKind.CHECK)),
    }


RECIPES = _recipes()
REGISTERED = audited_writes()


def test_every_registered_write_has_a_recipe_and_every_recipe_a_registered_write() -> None:
    assert set(REGISTERED) == set(RECIPES)


def test_every_public_coroutine_of_the_domain_is_a_registered_write_or_a_listed_read() -> None:
    undeclared, seen = [], set()
    for module in MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.iscoroutinefunction(obj) or obj.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            seen.add(qualified)
            if next(iter(inspect.signature(obj).parameters), None) == "session":
                continue
            if qualified not in REGISTERED and qualified not in READS:
                undeclared.append(qualified)
    assert undeclared == [], f"declare these with @audited_write (and add a recipe) or list them in READS: {undeclared}"
    assert READS <= seen, f"READS names functions that no longer exist: {sorted(READS - seen)}"


def test_the_decorator_takes_only_coroutine_functions() -> None:
    def not_async() -> None:
        return None

    with pytest.raises(TypeError):
        audited_write(not_async)  # type: ignore[type-var]


async def _entries() -> list[AuditEntry]:
    async with read_session() as s:
        return list((await s.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


@pytest.mark.parametrize("name", sorted(RECIPES))
async def test_each_write_records_an_audit_entry(db: str, name: str) -> None:
    world = await build_world()
    call = await RECIPES[name](world)
    before = len(await _entries())
    await call()
    added = (await _entries())[before:]
    assert added, f"{name} wrote no audit entry"
    async with read_session() as s:
        hashes = set((await s.scalars(select(User.password_hash))).all())
        assert await s.scalar(select(func.count()).select_from(AuditEntry)) == before + len(added)
    for entry in added:
        assert entry.action and entry.entity
        stored = json.dumps([entry.old_values, entry.new_values])
        assert "password_hash" not in stored and not any(h in stored for h in hashes)
