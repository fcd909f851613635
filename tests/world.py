"""A small two-company world for domain tests (much faster than the demo seed), and a
fingerprint of every administration table to prove that a refused write changed nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import inspect, select

from db.enums import LocationLinkKind, Role
from db.models import AuditEntry, Company, Location, LoginAttempt, PhaseItemTemplate, Truck, User, UserLocation
from domain.access.passwords import hash_password
from domain.access.rbac import Principal, principal_of
from domain.unit_of_work import read_session, unit_of_work

WORLD_PASSWORD = "World-Pass-2026"
ADMIN_TABLES = (Company, Location, Truck, User, UserLocation, AuditEntry, LoginAttempt, PhaseItemTemplate)


@lru_cache(maxsize=1)
def _hash() -> str:
    return hash_password(WORLD_PASSWORD)


@dataclass
class World:
    company_a: int
    company_b: int
    a1: int
    a2: int
    b1: int
    truck_a: int
    truck_b: int
    admin_a: Principal
    admin_b: Principal
    dispatcher_a: Principal
    super_admin: Principal
    mover_a: Principal


async def build_world() -> World:
    password_hash = await asyncio.to_thread(_hash)
    async with unit_of_work() as s:
        a, b = Company(name="Alpha Moving"), Company(name="Beta Movers")
        s.add_all([a, b])
        await s.flush()
        a1 = Location(company_id=a.id, name="Alpha North", timezone="America/Toronto")
        a2 = Location(company_id=a.id, name="Alpha South", timezone="America/Toronto")
        b1 = Location(company_id=b.id, name="Beta Central", timezone="America/Vancouver")
        s.add_all([a1, a2, b1])
        await s.flush()
        ta = Truck(company_id=a.id, location_id=a1.id, number="A-100", size="26 ft")
        tb = Truck(company_id=b.id, location_id=b1.id, number="B-100")

        def person(company: Company | None, email: str, role: Role, links: list[Location] = ()) -> User:
            user = User(company_id=company.id if company else None, email=email, password_hash=password_hash,
                        full_name=email.split("@")[0].title(), role=role)
            user.location_links = [UserLocation(location_id=loc.id, kind=LocationLinkKind.ASSIGNED) for loc in links]
            return user

        people = [person(a, "admin@alpha.test", Role.ADMIN), person(b, "admin@beta.test", Role.ADMIN),
                  person(a, "dispatch@alpha.test", Role.DISPATCHER, [a1]),
                  person(None, "root@ccrm.test", Role.SUPER_ADMIN), person(a, "mover@alpha.test", Role.MOVER, [a1])]
        s.add_all([ta, tb, *people])
        await s.flush()
        principals = [principal_of(p) for p in people]
        return World(a.id, b.id, a1.id, a2.id, b1.id, ta.id, tb.id, *principals)


async def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the administration tables (all columns), to compare before/after."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with read_session() as s:
        for model in ADMIN_TABLES:
            columns = [c for c in inspect(model).columns]
            rows = (await s.execute(select(*columns).order_by(*inspect(model).primary_key))).all()
            result[model.__tablename__] = [tuple(r) for r in rows]
    return result
