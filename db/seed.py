"""Demo data: the company "Let's Get Moving", its Canadian branches, trucks, users of every role
and a week of journeys around today. Idempotent: does nothing when a company already exists."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import (
    ActivityKind,
    CrewRole,
    DataSource,
    ItemKind,
    JourneyStatus,
    JourneySyncStatus,
    LocationLinkKind,
    Phase,
    Role,
    StepStatus,
)
from db.models import (
    Company,
    CrewAssignment,
    Journey,
    JourneyStep,
    Location,
    PhaseItemTemplate,
    StepActivity,
    Truck,
    User,
    UserLocation,
    utcnow,
)
from db.workflow_defaults import DEFAULT_TEMPLATE, PHASE_STATUS

BRANCHES_FILE = Path(__file__).resolve().parents[1] / "demo_data" / "branches.json"
DEMO_COMPANY = "Let's Get Moving"
DEMO_PASSWORD = "Demo-Pass-2026"
DEMO_DOMAIN = "demo.ccrm"
DEMO_ACCOUNTS: tuple[tuple[Role, str], ...] = (
    (Role.SUPER_ADMIN, f"superadmin@{DEMO_DOMAIN}"),
    (Role.ADMIN, f"admin@{DEMO_DOMAIN}"),
    (Role.MANAGER, f"manager@{DEMO_DOMAIN}"),
    (Role.DISPATCHER, f"dispatcher@{DEMO_DOMAIN}"),
    (Role.DRIVER, f"driver@{DEMO_DOMAIN}"),
    (Role.MOVER, f"mover@{DEMO_DOMAIN}"),
    (Role.AUDITOR, f"auditor@{DEMO_DOMAIN}"),
)
PHASES = list(Phase)

FIRST_NAMES = ["Liam", "Olivia", "Noah", "Emma", "Ethan", "Ava", "Lucas", "Mia", "Mason", "Zoe", "Logan", "Chloe",
          "Owen", "Léa", "Jacob", "Amelia", "Benjamin", "Harper", "Nathan", "Aria", "Samuel", "Maya", "Gabriel",
          "Nora", "Arjun", "Priya", "Wei", "Mei", "Omar", "Fatima", "Mateo", "Sofia"]
LAST_NAMES = ["Tremblay", "Smith", "Roy", "Brown", "Gagnon", "Wilson", "Lee", "Martin", "Singh", "Taylor", "Côté",
         "Campbell", "Anderson", "Wong", "Patel", "MacDonald", "Nguyen", "Leblanc", "Chen", "Bouchard"]
STREETS = ["Maple Ave", "King St W", "Queen St E", "Bloor St", "Yonge St", "Oak Cres", "Birch Rd", "Cedar Lane",
            "Lakeshore Blvd", "Main St", "Elm Dr", "Spruce Way", "Riverside Dr", "Park Ave", "Hillcrest Rd"]
SERVICES = ["Moving", "Packing", "Moving and Packing", "Load Only", "Unload Only", "Commercial", "Junk Removal"]
SIZES = ["Studio", "1 Bedroom", "2 Bedroom", "3 Bedroom", "4+ Bedroom", "Office", "Storage Unit"]


@dataclass(frozen=True, slots=True)
class Branch:
    name: str
    code: str
    city: str
    province: str
    country: str
    timezone: str
    address: str
    postal_code: str | None
    lat: float
    lng: float
    phone: str | None


def display_name(sm_name: str) -> str:
    """"CALGARY 🇨🇦 - Let's Get Moving" → "Calgary" (the name a location carries here)."""
    head = re.split(r"\s+-\s+", sm_name, maxsplit=1)[0]
    head = re.sub(r"[^\w\s.'&/-]", "", head).strip()
    return " ".join(word.capitalize() for word in head.split())


def all_branches() -> list[Branch]:
    """The 66 branches of Let's Get Moving in Canada and the US."""
    rows = json.loads(BRANCHES_FILE.read_text(encoding="utf-8"))
    return [
        Branch(
            name=display_name(r["sm_name"]), code=r["code"], city=r["city"], province=r["province"],
            country=r["country"], timezone=r["timezone"], address=r["address"], postal_code=r.get("postal_code"),
            lat=r["lat"], lng=r["lng"], phone=r.get("phone"),
        )
        for r in rows
    ]


def canadian_branches() -> list[Branch]:
    return [b for b in all_branches() if b.country == "CA"]


def _toronto_area(locations: list[Location]) -> list[Location]:
    preferred = [loc for loc in locations if loc.name.startswith("Toronto")] + [
        loc for loc in locations if loc.name in ("Mississauga", "Brampton", "Etobicoke", "North York", "Scarborough")
    ]
    return (preferred or locations)[:3]


async def seed_demo(session: AsyncSession, password_hash: str, *, rng_seed: int = 2026) -> bool:
    """Load the demo data into an empty database. Returns False (and writes nothing) if the
    database already holds a company."""
    if (await session.scalar(select(func.count()).select_from(Company))) or 0:
        return False
    rng = random.Random(rng_seed)
    company = Company(name=DEMO_COMPANY, timezone="America/Toronto")
    session.add(company)
    await session.flush()
    for row in DEFAULT_TEMPLATE:
        session.add(PhaseItemTemplate(company_id=company.id, **row))

    branches = canadian_branches()
    locations = [
        Location(
            company_id=company.id, name=b.name, code=b.code, timezone=b.timezone, address=b.address,
            city=b.city, province=b.province, country=b.country, postal_code=b.postal_code,
            lat=b.lat, lng=b.lng, phone=b.phone,
        )
        for b in branches
    ]
    session.add_all(locations)
    await session.flush()

    trucks: dict[int, list[Truck]] = {}
    for loc, branch in zip(locations, branches, strict=True):
        count = rng.randint(2, 11)
        trucks[loc.id] = [
            Truck(company_id=company.id, location_id=loc.id, number=f"{branch.code[:3]}-{loc.id:02d}{i + 1:02d}",
                  size=rng.choice(["16 ft", "20 ft", "26 ft"]))
            for i in range(count)
        ]
        session.add_all(trucks[loc.id])

    home = _toronto_area(locations)
    people = _People(session, company.id, password_hash, rng)
    for role, email in DEMO_ACCOUNTS:
        links = {Role.MANAGER: (home, LocationLinkKind.MANAGED),
                 Role.DISPATCHER: (home, LocationLinkKind.ASSIGNED),
                 Role.DRIVER: (home[:1], LocationLinkKind.ASSIGNED),
                 Role.MOVER: (home[:1], LocationLinkKind.ASSIGNED)}.get(role)
        people.add(role, email, links, company_less=role is Role.SUPER_ADMIN)
    crew_spread = [(loc, 3, 4) for loc in home] + [(loc, 1, 1) for loc in locations if loc not in home][:14]
    for loc, drivers, movers in crew_spread:
        for _ in range(drivers):
            people.add(Role.DRIVER, None, ([loc], LocationLinkKind.ASSIGNED))
        for _ in range(movers):
            people.add(Role.MOVER, None, ([loc], LocationLinkKind.ASSIGNED))
    for loc in locations[::9]:
        people.add(Role.DISPATCHER, None, ([loc], LocationLinkKind.ASSIGNED))
    await session.flush()

    await _JourneyMaker(session, company.id, rng, trucks, people).make_week(locations, home)
    return True


class _People:
    def __init__(self, session: AsyncSession, company_id: int, password_hash: str, rng: random.Random) -> None:
        self.session, self.company_id, self.password_hash, self.rng = session, company_id, password_hash, rng
        self.by_location: dict[int, list[User]] = {}
        self.by_email: dict[str, User] = {}
        self._n = 0

    def add(self, role: Role, email: str | None, links: tuple[list[Location], LocationLinkKind] | None,
            *, company_less: bool = False) -> User:
        self._n += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = email or f"{first}.{last}.{self._n}@{DEMO_DOMAIN}".lower().replace("é", "e").replace("ô", "o")
        user = User(
            company_id=None if company_less else self.company_id, email=email, password_hash=self.password_hash,
            full_name=f"{first} {last}", role=role, phone=f"+1-416-555-{self._n:04d}",
        )
        if links:
            locs, kind = links
            user.location_links = [UserLocation(location_id=loc.id, kind=kind) for loc in locs]
            if role in (Role.DRIVER, Role.MOVER):
                for loc in locs:
                    self.by_location.setdefault(loc.id, []).append(user)
        self.session.add(user)
        self.by_email[email] = user
        return user


class _JourneyMaker:
    """A week of journeys around each location's today, in every phase and status."""

    def __init__(self, session: AsyncSession, company_id: int, rng: random.Random,
                 trucks: dict[int, list[Truck]], people: _People) -> None:
        self.session, self.company_id, self.rng, self.trucks, self.people = session, company_id, rng, trucks, people
        self._n = 0
        self._crew_days: set[tuple[int, date]] = set()
        self._reserved_trucks: dict[tuple[int, date], tuple[int, ...]] = {}
        self._taken: dict[tuple[int, date], set[int]] = {}

    async def make_week(self, locations: list[Location], home: list[Location]) -> None:
        self._reserve_for_demo_crew(home[0])
        for loc in locations:
            today = datetime.now(ZoneInfo(loc.timezone)).date()
            busy = loc in home
            for offset in range(-3, 4):
                day = today + timedelta(days=offset)
                count = self.rng.randint(5, 8) if busy else self.rng.randint(0, 2)
                booked: set[int] = set()
                for _ in range(count):
                    self._make(loc, day, offset, booked)
        await self.session.flush()
        await self._put_demo_crew_on_today(home[0])

    def _make(self, loc: Location, day: date, offset: int, booked: set[int]) -> Journey:
        self._n += 1
        rng = self.rng
        tz = ZoneInfo(loc.timezone)
        # Stored in UTC: SQLite keeps no offset (a naive value read back is taken as UTC).
        start = datetime.combine(day, time(rng.choice([7, 8, 9, 10, 12, 13])), tz).astimezone(UTC)
        smartmoving = rng.random() < 0.8
        journey = Journey(
            company_id=self.company_id, location_id=loc.id, journey_date=day,
            scheduled_start=start, scheduled_end=start + timedelta(hours=rng.randint(3, 6)),
            data_source=DataSource.SMARTMOVING if smartmoving else DataSource.MANUAL,
            external_id=f"demo-{self._n:05d}" if smartmoving else None,
            job_number=f"{100000 + self._n}-1" if smartmoving else None,
            sync_status=JourneySyncStatus.SYNCED if smartmoving else JourneySyncStatus.NOT_SYNCED,
            last_sync_at=utcnow() if smartmoving else None,
            customer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            customer_phone=f"+1-{rng.randint(200, 989)}-555-{rng.randint(0, 9999):04d}",
            customer_email=f"customer{self._n}@example.com",
            origin_address=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, {loc.city}, {loc.province}",
            destination_address=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, {loc.city}, {loc.province}",
            service_type=rng.choice(SERVICES), move_size=rng.choice(SIZES),
            estimated_value=Decimal(rng.randint(600, 9500)), confirmed=rng.random() < 0.85,
        )
        done = self._phases_done(offset)
        cancelled = rng.random() < 0.06
        # `booked` follows the draws as they were before a truck was kept for the demo crew (so the
        # rest of the demo data stays the same); `taken` is what is really booked that day.
        free = [t for t in self.trucks[loc.id] if t.id not in booked]
        taken = self._taken.setdefault((loc.id, day), set(self._reserved_trucks.get((loc.id, day), ())))
        if free and (offset < 0 or rng.random() < 0.75):
            booked.add(free[0].id)
            really_free = [t for t in self.trucks[loc.id] if t.id not in taken]
            if really_free:
                journey.truck_id = really_free[0].id
                taken.add(really_free[0].id)
        # The product's rules: one journey a day per truck and per person (so never two at once),
        # and no journey past its job setup without a truck and a crew.
        crew = [u for u in self.people.by_location.get(loc.id, []) if (u.id, day) not in self._crew_days]
        if journey.truck_id and crew:
            for user, role in zip(crew[:2], (CrewRole.DRIVER, CrewRole.MOVER), strict=False):
                self._assign(journey, user, role)
        if done > 0 and not (journey.truck_id and journey.crew):
            if offset < 0:
                cancelled = True  # a past job nobody could do
            else:
                if done == len(PHASES):
                    rng.random()  # the draw _set_phases would have made: the rest of the data stays the same
                done = 0
        self._set_phases(journey, done, cancelled)
        self.session.add(journey)
        return journey

    def _reserve_for_demo_crew(self, home: Location) -> None:
        """driver@ and mover@ work only the journeys made for them today and tomorrow, on a truck
        kept free for them on those days."""
        today = datetime.now(ZoneInfo(home.timezone)).date()
        truck = self.trucks[home.id][-1]
        for day in (today, today + timedelta(days=1)):
            self._reserved_trucks[(home.id, day)] = (truck.id,)
            for email in (f"driver@{DEMO_DOMAIN}", f"mover@{DEMO_DOMAIN}"):
                self._crew_days.add((self.people.by_email[email].id, day))

    def _assign(self, journey: Journey, user: User, role: CrewRole) -> None:
        self._crew_days.add((user.id, journey.journey_date))
        journey.crew.append(CrewAssignment(user_id=user.id, journey_date=journey.journey_date, role=role))

    def _phases_done(self, offset: int) -> int:
        if offset < 0:
            return 6
        if offset > 0:
            return self.rng.choice([0, 0, 1])
        return self.rng.randint(0, 6)

    def _set_phases(self, journey: Journey, done: int, cancelled: bool) -> None:
        """Steps consistent with `done` completed phases; status and progress follow."""
        audited = done == 6 and self.rng.random() < 0.5
        for i, phase in enumerate(PHASES):
            step = JourneyStep(phase=phase, position=i + 1)
            if i < done:
                step.status = StepStatus.APPROVED if audited or i < done - 1 else StepStatus.COMPLETED
                step.started_at = (journey.scheduled_start or utcnow()) + timedelta(minutes=30 * i)
                step.completed_at = step.started_at + timedelta(minutes=25)
                step.activities = [
                    StepActivity(item_key=row["key"], kind=ActivityKind.CHECKLIST, data={"value": True})
                    for row in DEFAULT_TEMPLATE
                    if row["phase"] is phase and row["kind"] is ItemKind.CHECK
                ]
            elif i == done and not cancelled and done > 0:
                step.status = StepStatus.IN_PROGRESS
                step.started_at = (journey.scheduled_start or utcnow()) + timedelta(minutes=30 * i)
            journey.steps.append(step)
        journey.progress = round(done * 100 / len(PHASES))
        journey.current_phase = PHASES[min(done, len(PHASES) - 1)]
        if cancelled:
            journey.status = JourneyStatus.CANCELLED
        elif done == len(PHASES):
            journey.status = JourneyStatus.AUDITED if audited else JourneyStatus.COMPLETED
        else:
            journey.status = PHASE_STATUS[journey.current_phase]

    async def _put_demo_crew_on_today(self, home: Location) -> None:
        """driver@ and mover@ are on two of today's journeys and one of tomorrow's."""
        today = datetime.now(ZoneInfo(home.timezone)).date()
        driver = self.people.by_email[f"driver@{DEMO_DOMAIN}"]
        mover = self.people.by_email[f"mover@{DEMO_DOMAIN}"]
        for day, hours in ((today, (7, 13)), (today + timedelta(days=1), (8,))):
            for hour in hours:
                start = datetime.combine(day, time(hour), ZoneInfo(home.timezone)).astimezone(UTC)
                journey = self._make(home, day, (day - today).days, set())
                journey.scheduled_start, journey.scheduled_end = start, start + timedelta(hours=5)
                journey.truck_id = self._reserved_trucks[(home.id, day)][0]  # 07–12 and 13–18: never at once
                journey.crew = []
                self._assign(journey, driver, CrewRole.DRIVER)
                self._assign(journey, mover, CrewRole.MOVER)
                journey.steps = []
                self._set_phases(journey, 1, cancelled=False)
        await self.session.flush()


def demo_accounts() -> list[dict[str, Any]]:
    """What the login page and README show in demo mode."""
    return [{"role": role.value, "email": email, "password": DEMO_PASSWORD} for role, email in DEMO_ACCOUNTS]
