"""Fixtures of the sync tests: the demo company, the SmartMoving simulator on a free port over
real HTTP, and the company's integration pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import IntegrationPlan, Role
from db.models import Company, User
from domain.access.rbac import Principal, principal_of
from domain.sync.settings import IntegrationForm, save_integration
from domain.unit_of_work import read_session
from integrations.smartmoving.simulator.server import SimulatorState
from tests.smartmoving.conftest import API_KEY as SIM_KEY
from tests.smartmoving.conftest import sim_state, sim_url  # noqa: F401 (fixtures: the simulator over HTTP)

WEBHOOK_SECRET = "webhook-secret-for-tests-0123"
TWO_DAYS = 2
#: Fast retries for tests (the defaults wait seconds between attempts).
FAST = {"backoff_base": 0.001, "max_backoff": 0.05, "timeout": 5.0, "rate_per_minute": 100_000, "max_retries": 4}


@pytest.fixture
def sim(sim_state: SimulatorState) -> SimulatorState:
    """The simulated SmartMoving company the integration talks to (switches flip at run time)."""
    return sim_state


async def principal_for(email: str) -> Principal:
    async with read_session() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return principal_of(user)


@pytest.fixture
async def superadmin(demo: str) -> Principal:
    return await principal_for("superadmin@demo.ccrm")


@pytest.fixture
async def company_id(demo: str) -> int:
    async with read_session() as session:
        return int(await session.scalar(select(Company.id)))


@pytest.fixture
async def integration(superadmin: Principal, company_id: int, sim_url: str) -> dict[str, Any]:
    """The demo company's integration, PREMIUM, pointed at the simulator, syncing today and
    tomorrow (the simulator's 150-250 jobs a day; the convergence tests use the default 14-day
    window over a smaller SmartMoving)."""
    assert superadmin.role is Role.SUPER_ADMIN
    return await save_integration(superadmin, company_id, IntegrationForm(
        base_url=sim_url, plan=IntegrationPlan.PREMIUM, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY, webhook_secret=WEBHOOK_SECRET,
        sync_window_days=TWO_DAYS))


@pytest.fixture
def fast_client_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Runs started by the app itself (API, pages) pace their client from the settings: lift the
    120/min of the live API for the local simulator, and retry a failing call 2 s, not 2 min."""
    from config import get_settings

    monkeypatch.setenv("SMARTMOVING_RATE_PER_MINUTE", "100000")
    monkeypatch.setenv("SMARTMOVING_RETRY_SECONDS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def bearer(email: str) -> dict[str, str]:
    from domain.access.tokens import issue_token

    return {"Authorization": f"Bearer {issue_token(await principal_for(email))[0]}"}
