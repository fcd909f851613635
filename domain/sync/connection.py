"""What a sync needs to talk to SmartMoving for one integration: its company, plan and a client
built with the decrypted API key (the key lives only in this object and the client's header)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from config import get_settings
from db.enums import IntegrationPlan
from db.models import Company, CompanyIntegration
from domain.errors import NotFound, ValidationFailed
from domain.sync.secrets import decrypt_secret
from domain.unit_of_work import read_session
from integrations.smartmoving import SmartMovingClient


@dataclass(frozen=True, slots=True)
class Connection:
    integration_id: int
    company_id: int
    company_timezone: str
    plan: IntegrationPlan
    base_url: str
    active: bool
    api_key: str = field(repr=False)
    #: Days kept equal to SmartMoving, today first (the integration's setting).
    window_days: int = 14


async def load_connection(integration_id: int) -> Connection:
    async with read_session() as session:
        integration = await session.get(CompanyIntegration, integration_id)
        if integration is None:
            raise NotFound(f"integration {integration_id} not found")
        company = await session.get_one(Company, integration.company_id)
    if not integration.api_key_encrypted:
        raise ValidationFailed("the integration has no API key: enter it in the integration settings")
    return Connection(integration.id, company.id, company.timezone, integration.plan, integration.base_url,
                      integration.active, decrypt_secret(integration.api_key_encrypted),
                      integration.sync_window_days)


def local_simulator_url() -> str:
    return f"http://127.0.0.1:{get_settings().simulator_port}"


def open_client(connection: Connection, **options: Any) -> SmartMovingClient:
    """A client paced at the live API's rate (the in-process demo simulator has no such limit),
    retrying and declaring SmartMoving unreachable after the configured times."""
    settings = get_settings()
    to_simulator = settings.should_run_simulator and connection.base_url.rstrip("/") == local_simulator_url()
    rate = settings.simulator_rate_per_minute if to_simulator else settings.smartmoving_rate_per_minute
    defaults: dict[str, Any] = {"rate_per_minute": rate, "retry_for": settings.smartmoving_retry_seconds,
                                "unreachable_after": settings.smartmoving_unreachable_seconds}
    return SmartMovingClient(connection.base_url, connection.api_key, **(defaults | options))
