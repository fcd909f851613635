"""A small company for journey tests: two locations in Toronto's timezone, trucks, crew, and a
principal of each desk role. Built through the models (the demo seed is too big to reason about)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.enums import LocationLinkKind, Role, UserStatus
from db.models import Company, Location, ResourceLoan, Truck, User, UserLocation
from domain.journeys.edit import JourneyDraft, create_journey
from domain.access.rbac import Principal, load_principal
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work

TZ = "America/Toronto"


@dataclass
class World:
    company_id: int
    home: int
    away: int
    trucks: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return today_in(TZ)

    def at(self, hour: int, minute: int = 0, day: date | None = None) -> datetime:
        return datetime.combine(day or self.today, time(hour, minute), ZoneInfo(TZ))

    async def journey(self, start: tuple[int, int] | None = (9, 0), end: tuple[int, int] | None = (12, 0), *,
                      name: str = "Jane Doe", location: int | None = None, day: date | None = None,
                      by: str = "dispatcher") -> int:
        day = day or self.today
        return await create_journey(self.principals[by], JourneyDraft(
            location_id=location or self.home, journey_date=day, customer_name=name,
            scheduled_start=self.at(*start, day=day) if start else None,
            scheduled_end=self.at(*end, day=day) if end else None,
        ))


async def make_world(name: str = "Acme Moving") -> World:
    async with unit_of_work() as s:
        company = Company(name=name)
        s.add(company)
        await s.flush()
        home = Location(company_id=company.id, name="Toronto", timezone=TZ)
        away = Location(company_id=company.id, name="Ottawa", timezone=TZ)
        s.add_all([home, away])
        await s.flush()
        world = World(company.id, home.id, away.id)
        trucks = {
            "T1": Truck(company_id=company.id, location_id=home.id, number="TOR-01", size="26 ft"),
            "T2": Truck(company_id=company.id, location_id=home.id, number="TOR-02", size="20 ft"),
            "OLD": Truck(company_id=company.id, location_id=home.id, number="TOR-99", active=False),
            "OTT": Truck(company_id=company.id, location_id=away.id, number="OTT-01"),
        }
        s.add_all(trucks.values())

        def person(key: str, role: Role, links: list[tuple[int, LocationLinkKind]], **kw: object) -> User:
            user = User(company_id=company.id, email=f"{key}@{name.split()[0].lower()}.test", password_hash="x",
                        full_name=key.replace("_", " ").title(), role=role, **kw)
            user.location_links = [UserLocation(location_id=location_id, kind=k) for location_id, k in links]
            s.add(user)
            return user

        assigned, managed = LocationLinkKind.ASSIGNED, LocationLinkKind.MANAGED
        users = {
            "dispatcher": person("dispatcher", Role.DISPATCHER, [(home.id, assigned)]),
            "manager": person("manager", Role.MANAGER, [(home.id, managed)]),
            "admin": person("admin", Role.ADMIN, []),
            "auditor": person("auditor", Role.AUDITOR, []),
            "ottawa_dispatcher": person("ottawa_dispatcher", Role.DISPATCHER, [(away.id, assigned)]),
            "driver": person("dan_driver", Role.DRIVER, [(home.id, assigned)]),
            "driver2": person("dora_driver", Role.DRIVER, [(home.id, assigned)]),
            "mover": person("mo_mover", Role.MOVER, [(home.id, assigned)]),
            "gone": person("gone_driver", Role.DRIVER, [(home.id, assigned)], status=UserStatus.INACTIVE),
            "ottawa_driver": person("otto_driver", Role.DRIVER, [(away.id, assigned)]),
        }
        await s.flush()
        world.trucks = {k: t.id for k, t in trucks.items()}
        world.users = {k: u.id for k, u in users.items()}
    async with read_session() as s:
        for key in ("dispatcher", "manager", "admin", "auditor", "ottawa_dispatcher", "driver"):
            principal = await load_principal(s, world.users[key])
            assert principal is not None
            world.principals[key] = principal
    return world


async def lend(world: World, *, truck: str | None = None, user: str | None = None, days: int = 0) -> None:
    """Lend an Ottawa truck or person to Toronto from today for `days` more days."""
    async with unit_of_work() as s:
        s.add(ResourceLoan(company_id=world.company_id, to_location_id=world.home,
                           truck_id=world.trucks[truck] if truck else None,
                           user_id=world.users[user] if user else None,
                           starts_on=world.today, ends_on=world.today + timedelta(days=days)))
