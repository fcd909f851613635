"""A journey of the workflow test world made a SmartMoving job, its company's integration pointed
at a simulator over HTTP (for the inventory import)."""

from __future__ import annotations

from sqlalchemy import update

from db.enums import DataSource, IntegrationPlan
from db.models import CompanyIntegration, Journey
from domain.sync.secrets import encrypt_secret
from domain.unit_of_work import unit_of_work
from tests.journey_factory import World

#: Fast retries against the local simulator (the import's own bound is seconds).
TEST_SETTINGS = {"SMARTMOVING_RATE_PER_MINUTE": "100000"}


async def smartmoving_job(world: World, sim_url: str, api_key: str, opportunity_id: str, *,
                          plan: IntegrationPlan = IntegrationPlan.PREMIUM) -> int:
    """The world's journey as a job of `opportunity_id`; the integration's id."""
    async with unit_of_work() as session:
        integration = CompanyIntegration(company_id=world.company_id, base_url=sim_url, plan=plan, active=True,
                                         api_key_encrypted=encrypt_secret(api_key))
        session.add(integration)
        await session.execute(update(Journey).where(Journey.id == world.journey_id).values(
            data_source=DataSource.SMARTMOVING, external_id=f"job-{opportunity_id}",
            external_opportunity_id=opportunity_id))
        await session.flush()
        return integration.id
