"""Fixtures of the write-back tests: a company whose journey came from SmartMoving (an opportunity
of the simulator, served over real HTTP), its integration pointed at the simulator, and what the
documents part would issue (a completion report row, inserted here as fixture data)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select, update

from db.enums import DataSource, DeliveryCheck, DocumentKind, IntegrationPlan, InventorySource, Role
from db.models import CompanyIntegration, InventoryItem, Journey, MoveDocument, User
from domain.access.rbac import Principal, load_principal
from domain.sync.secrets import encrypt_secret
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.journey_factory import World, make_world
from tests.smartmoving.conftest import API_KEY as SIM_KEY
from tests.smartmoving.conftest import sim_state, sim_url  # noqa: F401 (fixtures: the simulator over HTTP)

#: Client settings of the tests: no pacing, quick 429 retries.
FAST = {"backoff_base": 0.001, "max_backoff": 0.05, "timeout": 10.0, "rate_per_minute": 100_000}


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


@pytest.fixture
async def opportunity(world: World, sim_state: SimulatorState) -> tuple[str, str]:
    """A simulator opportunity of today; the world's journey is its job: (opportunity id, job id)."""
    opp = sim_state.add_opportunity(dt.date.today())
    async with unit_of_work() as session:
        await session.execute(update(Journey).where(Journey.id == world.journey_id).values(
            data_source=DataSource.SMARTMOVING, external_opportunity_id=opp.id, external_id=opp.jobs[0].id,
            job_number="100777-1"))
    return opp.id, opp.jobs[0].id


async def add_integration(world: World, url: str, plan: IntegrationPlan = IntegrationPlan.PREMIUM) -> int:
    async with unit_of_work() as session:
        integration = CompanyIntegration(company_id=world.company_id, base_url=url, plan=plan, active=True,
                                         api_key_encrypted=encrypt_secret(SIM_KEY))
        session.add(integration)
        await session.flush()
        return integration.id


@pytest.fixture
async def integration(world: World, sim_url: str, opportunity: tuple[str, str]) -> int:
    return await add_integration(world, sim_url)


@pytest.fixture
async def script(sim_url: str) -> AsyncIterator[SimulatorScript]:
    async with SimulatorScript(sim_url, SIM_KEY) as sm:
        yield sm


async def issue_report(world: World, content: bytes = b"%PDF-1.7 completion report\n%%EOF") -> MoveDocument:
    """What the documents part issues at completion: the next version of the completion report."""
    async with unit_of_work() as session:
        version = int(await session.scalar(select(func.coalesce(func.max(MoveDocument.version), 0)).where(
            MoveDocument.journey_id == world.journey_id)) or 0) + 1
        document = MoveDocument(company_id=world.company_id, journey_id=world.journey_id,
                                kind=DocumentKind.COMPLETION_REPORT, version=version,
                                filename=f"completion-report-SM-100777-1-v{version}.pdf", size_bytes=len(content),
                                sha256=hashlib.sha256(content).hexdigest(), content=content)
        session.add(document)
    return document


async def newest_report(world: World) -> MoveDocument:
    async with read_session() as session:
        found = await session.scalar(select(MoveDocument).where(
            MoveDocument.journey_id == world.journey_id, MoveDocument.kind == DocumentKind.COMPLETION_REPORT)
            .order_by(MoveDocument.version.desc()).limit(1))
    assert found is not None
    return found


async def withdraw_reports(world: World) -> None:
    """No completion report for the journey (the workflow issues one when it completes)."""
    async with unit_of_work() as session:
        await session.execute(delete(MoveDocument).where(MoveDocument.journey_id == world.journey_id))


async def add_exception(world: World, name: str, check: DeliveryCheck, note: str | None = None) -> None:
    async with unit_of_work() as session:
        session.add(InventoryItem(company_id=world.company_id, journey_id=world.journey_id,
                                  source=InventorySource.CREW, room="Living room", name=name, quantity=1,
                                  delivery=check, delivery_conditions=["SC"] if check is DeliveryCheck.DAMAGED else [],
                                  delivery_note=note))


@pytest.fixture
async def super_admin(world: World) -> Principal:
    async with unit_of_work() as session:
        user = User(company_id=None, email="root@writeback.test", password_hash="x", full_name="Root",
                    role=Role.SUPER_ADMIN)
        session.add(user)
        await session.flush()
        user_id = user.id
    async with read_session() as session:
        principal = await load_principal(session, user_id)
    assert principal is not None
    return principal
