"""A small world for workflow tests, built with the models directly (the journeys domain is
another issue's): one company, two branches, a journey with a truck and a crew, and a user of
every role, each as a `Principal`."""

from __future__ import annotations

import io
from functools import lru_cache
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from typing import Any

from db.enums import CrewRole, ItemKind, LocationLinkKind, Phase, Role
from db.models import Company, CrewAssignment, Journey, JourneyStep, Location, Truck, User, UserLocation, utcnow
from domain.documents.consent import CONSENT_VERSION
from domain.workflow import phases as workflow
from domain.access.passwords import hash_password
from domain.workflow.template import default_template
from domain.access.rbac import Principal, load_principal
from domain.unit_of_work import read_session, unit_of_work

TZ = "America/Toronto"
PASSWORD = "Test-Pass-2026"
CREATION_ITEMS = {"schedule_confirmed": True, "crew_briefed": True}
ROLES = {
    "admin": Role.ADMIN, "manager": Role.MANAGER, "dispatcher": Role.DISPATCHER, "driver": Role.DRIVER,
    "mover": Role.MOVER, "other_driver": Role.DRIVER, "outsider_manager": Role.MANAGER, "auditor": Role.AUDITOR,
}


@dataclass
class World:
    company_id: int
    location_id: int
    other_location_id: int
    truck_id: int
    journey_id: int
    people: dict[str, Principal]

    def __getitem__(self, name: str) -> Principal:
        return self.people[name]


@lru_cache
def password_hash() -> str:
    """A real hash of PASSWORD, for tests that sign in through the login page."""
    return hash_password(PASSWORD)


async def make_world(*, truck: bool = True, crew: tuple[str, ...] = ("driver", "mover"), steps: bool = True,
                     company_name: str = "Test Movers", hashed: str = "x") -> World:
    """Users are `<name>.<company id>@test.ccrm`; pass `hashed=password_hash()` to sign in as them."""
    async with unit_of_work() as session:
        company = Company(name=company_name, timezone=TZ)
        session.add(company)
        await session.flush()
        home = Location(company_id=company.id, name="Toronto", timezone=TZ, city="Toronto", province="ON")
        away = Location(company_id=company.id, name="Vancouver", timezone="America/Vancouver")
        session.add_all([home, away])
        await session.flush()
        van = Truck(company_id=company.id, location_id=home.id, number=f"T-{company.id}-1", size="26 ft")
        session.add(van)
        users: dict[str, User] = {}
        for name, role in ROLES.items():
            user = User(company_id=company.id, email=f"{name}.{company.id}@test.ccrm", password_hash=hashed,
                        full_name=name.replace("_", " ").title(), role=role)
            if role is Role.MANAGER:
                where = away if name == "outsider_manager" else home
                user.location_links = [UserLocation(location_id=where.id, kind=LocationLinkKind.MANAGED)]
            elif role in (Role.DISPATCHER, Role.DRIVER, Role.MOVER):
                user.location_links = [UserLocation(location_id=home.id, kind=LocationLinkKind.ASSIGNED)]
            session.add(user)
            users[name] = user
        await session.flush()
        today = datetime.now(ZoneInfo(TZ)).date()
        start = datetime.combine(today, time(8), ZoneInfo(TZ))
        journey = Journey(company_id=company.id, location_id=home.id, journey_date=today, scheduled_start=start,
                          scheduled_end=start + timedelta(hours=5), customer_name="Ada Lovelace",
                          customer_phone="+1-416-555-0100", origin_address="1 King St W, Toronto",
                          destination_address="99 Queen St E, Toronto", estimated_value=4200,
                          truck_id=van.id if truck else None)
        if steps:
            journey.steps = [JourneyStep(phase=p, position=i) for i, p in enumerate(Phase, 1)]
        journey.crew = [CrewAssignment(user_id=users[n].id, journey_date=today,
                                       role=CrewRole.DRIVER if "driver" in n else CrewRole.MOVER) for n in crew]
        session.add(journey)
        await session.flush()
        ids = {name: u.id for name, u in users.items()}
        world = World(company.id, home.id, away.id, van.id, journey.id, {})
    async with read_session() as session:
        for name, user_id in ids.items():
            principal = await load_principal(session, user_id)
            assert principal is not None
            world.people[name] = principal
    return world


def jpeg_bytes(size: tuple[int, int] = (640, 480), colour: str = "steelblue", quality: int = 85) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((20, 20, size[0] // 2, size[1] // 2), fill="orange")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).ellipse((10, 10, size[0] - 10, size[1] - 10), outline="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signature_bytes(strokes: int = 3) -> bytes:
    """A transparent PNG with black strokes, like the signature pad's export."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for i in range(strokes):
        draw.line([(40 + i * 150, 150), (120 + i * 150, 40), (170 + i * 150, 160)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def now_iso() -> str:
    return utcnow().isoformat()


def consent(name: str = "Ada Lovelace", **extra: Any) -> dict[str, Any]:
    """The customer's consent to sign electronically, accepted now (domain/documents/consent.py)."""
    return {"version": CONSENT_VERSION, "accepted_at": now_iso(), "name": name, **extra}


def _answer(kind: ItemKind, options: dict[str, Any]) -> Any:
    if kind is ItemKind.CHECK:
        return True
    if kind is ItemKind.NUMBER:
        return options.get("max", 10)
    if kind is ItemKind.CHOICE:
        return options["choices"][0]
    if kind is ItemKind.TEXT:
        return "All fine"
    if options.get("reading") == "position":
        return {"lat": 43.65, "lng": -79.38}
    return {"time": now_iso()}


async def fill_phase(world: World, phase: Phase, who: str = "driver", *, required_only: bool = True) -> None:
    """Record every (required) item of a phase of the default template."""
    for spec in default_template()[phase]:
        if required_only and not spec.required:
            continue
        if spec.kind is ItemKind.PHOTO:
            await workflow.record_photo(world[who], world.journey_id, phase, spec.key, jpeg_bytes())
        elif spec.kind is ItemKind.SIGNATURE:
            await workflow.record_signature(world[who], world.journey_id, phase, spec.key, signature_bytes(),
                                            consent=consent())
        else:
            await workflow.record_item(world[who], world.journey_id, phase, spec.key, _answer(spec.kind, spec.options))


async def through(world: World, last: Phase) -> workflow.Transition:
    """Complete CREATION (dispatcher) and every crew phase up to `last` (driver)."""
    result = await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    for phase in list(Phase)[1:list(Phase).index(last) + 1]:
        await fill_phase(world, phase)
        result = await workflow.complete_phase(world["driver"], world.journey_id, phase)
    return result
