"""Property: for random worlds — companies, locations, users of random roles with random
ASSIGNED/MANAGED links (even to other companies' locations), journeys with random crews (even
from other companies), trucks — every principal's `journey_scope`, `location_scope`,
`truck_scope` and `user_scope` select exactly the rows the rules allow: nothing outside,
nothing missing. The expectation is computed in plain Python from the generated data.

The rules (DESIGN.md, "Roles and scope"): SUPER_ADMIN every company; ADMIN and AUDITOR their
company; MANAGER the locations they manage (MANAGED, and ASSIGNED links too); DISPATCHER the
locations assigned to them; DRIVER and MOVER only the journeys they are crew on (and, for
locations, the ones they are assigned to; no trucks).

Each example builds its world inside one transaction and rolls it back, so the function-scoped
`db` fixture (an empty database) serves every example unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.enums import CrewRole, LocationLinkKind, Role
from db.models import Company, CrewAssignment, Journey, Location, Truck, User, UserLocation
from db.session import session_factory
from domain.access.rbac import journey_scope, location_scope, principal_of, truck_scope, user_scope

MAX_EXAMPLES = 400
CREW = {Role.DRIVER, Role.MOVER}
SCOPES = (("journeys", Journey, journey_scope), ("locations", Location, location_scope),
          ("trucks", Truck, truck_scope), ("users", User, user_scope))


@dataclass(frozen=True)
class GenUser:
    company: int | None
    role: Role
    links: frozenset[tuple[int, LocationLinkKind]]  # (global location index, kind)

    def linked(self, *kinds: LocationLinkKind) -> set[int]:
        return {loc for loc, kind in self.links if kind in kinds}


@dataclass(frozen=True)
class GenWorld:
    companies: int
    location_company: list[int]  # location index → company index
    users: list[GenUser]
    journeys: list[tuple[int, frozenset[int]]]  # (location index, crew user indexes)
    trucks: list[int]  # location index of each truck


@st.composite
def worlds(draw: st.DrawFn) -> GenWorld:
    companies = draw(st.integers(1, 3))
    location_company = draw(st.lists(st.integers(0, companies - 1), min_size=1, max_size=7))
    n_locations = len(location_company)
    link = st.tuples(st.integers(0, n_locations - 1), st.sampled_from(list(LocationLinkKind)))
    users = []
    for _ in range(draw(st.integers(1, 9))):
        role = draw(st.sampled_from(list(Role)))
        company = None if role is Role.SUPER_ADMIN else draw(st.integers(0, companies - 1))
        users.append(GenUser(company, role, frozenset(draw(st.lists(link, max_size=4)))))
    crew = st.frozensets(st.integers(0, len(users) - 1), max_size=3)
    journeys = draw(st.lists(st.tuples(st.integers(0, n_locations - 1), crew), max_size=10))
    trucks = draw(st.lists(st.integers(0, n_locations - 1), max_size=5))
    return GenWorld(companies, location_company, users, journeys, trucks)


def _sees_location(u: GenUser, location_company: int, location: int) -> bool:
    """May `u` see things at `location` (a branch of company `location_company`)?"""
    if u.role is Role.SUPER_ADMIN:
        return True
    if u.company != location_company:
        return False
    if u.role in (Role.ADMIN, Role.AUDITOR):
        return True
    if u.role is Role.MANAGER:
        return location in u.linked(LocationLinkKind.MANAGED, LocationLinkKind.ASSIGNED)
    if u.role is Role.DISPATCHER:
        return location in u.linked(LocationLinkKind.ASSIGNED)
    return False


def expected(w: GenWorld, me: int) -> dict[str, set[int]]:
    """Indexes of the journeys, locations, trucks and users that user `me` may see."""
    u = w.users[me]
    loc_co = w.location_company
    crew_member = u.role in CREW

    def journey_visible(loc: int, crew: frozenset[int]) -> bool:
        if crew_member:
            return me in crew and u.company == loc_co[loc]
        return _sees_location(u, loc_co[loc], loc)

    def location_visible(loc: int) -> bool:
        if crew_member:
            return u.company == loc_co[loc] and loc in u.linked(LocationLinkKind.ASSIGNED)
        return _sees_location(u, loc_co[loc], loc)

    def user_visible(i: int) -> bool:
        other = w.users[i]
        if u.role is Role.SUPER_ADMIN:
            return True
        if u.role in (Role.ADMIN, Role.AUDITOR):
            return other.company == u.company
        if u.role in (Role.MANAGER, Role.DISPATCHER):
            mine = u.linked(*LocationLinkKind) if u.role is Role.MANAGER else u.linked(LocationLinkKind.ASSIGNED)
            return other.company == u.company and (i == me or bool({loc for loc, _ in other.links} & mine))
        return i == me

    return {
        "journeys": {j for j, (loc, crew) in enumerate(w.journeys) if journey_visible(loc, crew)},
        "locations": {loc for loc in range(len(loc_co)) if location_visible(loc)},
        "trucks": {t for t, loc in enumerate(w.trucks) if not crew_member and _sees_location(u, loc_co[loc], loc)},
        "users": {i for i in range(len(w.users)) if user_visible(i)},
    }


@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
async def test_scopes_select_exactly_what_the_rules_allow(db: str, world: GenWorld) -> None:
    async with session_factory()() as session:
        transaction = await session.begin()
        try:
            companies = [Company(name=f"Company {i}") for i in range(world.companies)]
            session.add_all(companies)
            await session.flush()
            locations = [Location(company_id=companies[c].id, name=f"Branch {i}", timezone="America/Toronto")
                         for i, c in enumerate(world.location_company)]
            session.add_all(locations)
            await session.flush()
            users = []
            for i, g in enumerate(world.users):
                user = User(company_id=None if g.company is None else companies[g.company].id, email=f"u{i}@p.test",
                            password_hash="-", full_name=f"User {i}", role=g.role)
                user.location_links = [UserLocation(location_id=locations[loc].id, kind=kind) for loc, kind in g.links]
                users.append(user)
            trucks = [Truck(company_id=locations[loc].company_id, location_id=locations[loc].id, number=f"T{i}")
                      for i, loc in enumerate(world.trucks)]
            journeys = [Journey(company_id=locations[loc].company_id, location_id=locations[loc].id,
                                journey_date=date(2026, 11, 2)) for loc, _ in world.journeys]
            session.add_all([*users, *trucks, *journeys])
            await session.flush()
            session.add_all(CrewAssignment(journey_id=journeys[j].id, user_id=users[u].id,
                                           journey_date=journeys[j].journey_date, role=CrewRole.MOVER)
                            for j, (_, crew) in enumerate(world.journeys) for u in crew)
            await session.flush()

            ids = {"journeys": journeys, "locations": locations, "trucks": trucks, "users": users}
            for me, user in enumerate(users):
                principal = principal_of(user)
                got = {
                    kind: set((await session.scalars(select(model.id).where(scope(principal)))).all())
                    for kind, model, scope in SCOPES
                }
                want = {kind: {ids[kind][i].id for i in indexes} for kind, indexes in expected(world, me).items()}
                assert got == want, (world.users[me], got, want)
        finally:
            await transaction.rollback()
