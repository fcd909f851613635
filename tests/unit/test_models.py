"""The model's constraints hold on the real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from db.enums import CrewRole, DataSource, Phase, Role
from db.models import Company, CrewAssignment, Journey, JourneyStep, Location, Truck, User
from domain.unit_of_work import read_session, unit_of_work


async def _company_with_location(name: str = "Acme Moving") -> tuple[int, int]:
    async with unit_of_work() as s:
        company = Company(name=name)
        s.add(company)
        await s.flush()
        location = Location(company_id=company.id, name="Calgary", timezone="America/Edmonton")
        s.add(location)
        await s.flush()
        return company.id, location.id


def _journey(company_id: int, location_id: int, external_id: str | None = None) -> Journey:
    return Journey(company_id=company_id, location_id=location_id, journey_date=date(2026, 11, 20),
                   data_source=DataSource.SMARTMOVING if external_id else DataSource.MANUAL,
                   external_id=external_id, customer_name="Jane Doe")


async def test_duplicate_external_id_in_one_company_is_refused(db: str) -> None:
    company_id, location_id = await _company_with_location()
    async with unit_of_work() as s:
        s.add(_journey(company_id, location_id, "opp-1"))
    with pytest.raises(IntegrityError):
        async with unit_of_work() as s:
            s.add(_journey(company_id, location_id, "opp-1"))
    async with read_session() as s:
        assert await s.scalar(select(func.count()).select_from(Journey)) == 1


async def test_same_external_id_in_two_companies_and_many_manual_journeys_are_fine(db: str) -> None:
    a = await _company_with_location("A")
    b = await _company_with_location("B")
    async with unit_of_work() as s:
        s.add_all([_journey(*a, "opp-1"), _journey(*b, "opp-1"), _journey(*a), _journey(*a)])
    async with read_session() as s:
        assert await s.scalar(select(func.count()).select_from(Journey)) == 4


async def test_deleting_a_company_cascades_to_everything_it_owns(db: str) -> None:
    company_id, location_id = await _company_with_location()
    async with unit_of_work() as s:
        user = User(company_id=company_id, email="d@x.test", password_hash="x", full_name="D", role=Role.DRIVER)
        journey = _journey(company_id, location_id, "opp-9")
        journey.steps = [JourneyStep(phase=p, position=i) for i, p in enumerate(Phase)]
        s.add_all([user, journey, Truck(company_id=company_id, location_id=location_id, number="T1")])
        await s.flush()
        s.add(CrewAssignment(journey_id=journey.id, user_id=user.id, journey_date=journey.journey_date,
                             role=CrewRole.DRIVER))
    async with unit_of_work() as s:
        await s.execute(text("DELETE FROM companies WHERE id = :id"), {"id": company_id})
    async with read_session() as s:
        for model in (Location, User, Truck, Journey, JourneyStep, CrewAssignment):
            assert await s.scalar(select(func.count()).select_from(model)) == 0, model.__name__


async def test_deleting_a_journey_removes_its_steps_and_crew_but_not_the_user(db: str) -> None:
    company_id, location_id = await _company_with_location()
    async with unit_of_work() as s:
        user = User(company_id=company_id, email="m@x.test", password_hash="x", full_name="M", role=Role.MOVER)
        journey = _journey(company_id, location_id)
        journey.steps = [JourneyStep(phase=Phase.CREATION, position=1)]
        s.add_all([user, journey])
        await s.flush()
        s.add(CrewAssignment(journey_id=journey.id, user_id=user.id, journey_date=journey.journey_date,
                             role=CrewRole.MOVER))
        journey_id = journey.id
    async with unit_of_work() as s:
        await s.execute(text("DELETE FROM journeys WHERE id = :id"), {"id": journey_id})
    async with read_session() as s:
        assert await s.scalar(select(func.count()).select_from(JourneyStep)) == 0
        assert await s.scalar(select(func.count()).select_from(CrewAssignment)) == 0
        assert await s.scalar(select(func.count()).select_from(User)) == 1


async def test_a_location_with_journeys_cannot_be_deleted(db: str) -> None:
    company_id, location_id = await _company_with_location()
    async with unit_of_work() as s:
        s.add(_journey(company_id, location_id))
    with pytest.raises(IntegrityError):
        async with unit_of_work() as s:
            await s.execute(text("DELETE FROM locations WHERE id = :id"), {"id": location_id})


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE journeys SET status = 'TELEPORTED'", {}),
        ("UPDATE journeys SET progress = 101", {}),
        ("UPDATE journeys SET current_phase = 'NAPPING'", {}),
    ],
)
async def test_enum_and_range_checks_refuse_bad_values(db: str, sql: str, params: dict) -> None:
    company_id, location_id = await _company_with_location()
    async with unit_of_work() as s:
        s.add(_journey(company_id, location_id))
    with pytest.raises(IntegrityError):
        async with unit_of_work() as s:
            await s.execute(text(sql), params)


async def test_only_a_super_admin_may_have_no_company(db: str) -> None:
    async with unit_of_work() as s:
        s.add(User(company_id=None, email="root@x.test", password_hash="x", full_name="R", role=Role.SUPER_ADMIN))
    with pytest.raises(IntegrityError):
        async with unit_of_work() as s:
            s.add(User(company_id=None, email="a@x.test", password_hash="x", full_name="A", role=Role.ADMIN))
