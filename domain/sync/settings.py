"""A company's SmartMoving integration settings: validated, audited, secrets encrypted and only
ever shown masked; saving reschedules the integration's syncs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from db.enums import IntegrationPlan
from db.models import Company, CompanyIntegration
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import NotFound, ValidationFailed
from domain.sync.schedule import schedule_integration
from domain.sync.secrets import SecretUnreadable, decrypt_secret, encrypt_secret, mask_secret
from domain.unit_of_work import read_session, unit_of_work

MIN_FREQUENCY_MINUTES = 5
MAX_FREQUENCY_MINUTES = 24 * 60
API_KEY_LENGTH = (8, 200)
WEBHOOK_SECRET_LENGTH = (16, 200)
MAX_URL_LENGTH = 300
HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,79}$")
UNREADABLE = "(unreadable: enter it again)"
_AUDITED = ("base_url", "plan", "active", "sync_frequency_minutes", "webhook_header", "sync_window_days")
#: The jobs sync keeps today and the next days equal to SmartMoving: 14 days unless set.
DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 62


@dataclass(frozen=True, slots=True)
class IntegrationForm:
    base_url: str
    plan: IntegrationPlan
    active: bool
    sync_frequency_minutes: int
    webhook_header: str
    #: None or "" keeps the stored key (the form never shows it).
    api_key: str | None = None
    webhook_secret: str | None = None
    #: Days kept equal to SmartMoving (today first); None keeps the stored one (14 on creation).
    sync_window_days: int | None = None


def _masked(token: str | None) -> str:
    if not token:
        return ""
    try:
        return mask_secret(decrypt_secret(token))
    except SecretUnreadable:
        return UNREADABLE


def integration_view(integration: CompanyIntegration) -> dict[str, Any]:
    """What the portal and API show: never a secret, only its mask."""
    return {
        "id": integration.id, "company_id": integration.company_id, "source": integration.source.value,
        "base_url": integration.base_url, "plan": integration.plan.value, "active": integration.active,
        "sync_frequency_minutes": integration.sync_frequency_minutes, "status": integration.status.value,
        "sync_window_days": integration.sync_window_days,
        "last_sync_at": integration.last_sync_at, "next_sync_at": integration.next_sync_at,
        "last_error": integration.last_error, "webhook_header": integration.webhook_header,
        "api_key": _masked(integration.api_key_encrypted),
        "webhook_secret": _masked(integration.webhook_secret_encrypted),
        "webhook_path": f"/api/smartmoving/webhooks/{integration.company_id}",
    }


async def get_integration(principal: Principal, company_id: int) -> dict[str, Any] | None:
    principal.require(Permission.SYNC_DATA)
    async with read_session() as session:
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
        return integration_view(integration) if integration else None


def _clean(form: IntegrationForm, creating: bool) -> dict[str, Any]:
    problems: list[str] = []
    url = (form.base_url or "").strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > MAX_URL_LENGTH:
        problems.append(f"base URL must be an http(s) URL of at most {MAX_URL_LENGTH} characters")
    if not MIN_FREQUENCY_MINUTES <= form.sync_frequency_minutes <= MAX_FREQUENCY_MINUTES:
        problems.append(f"sync frequency must be {MIN_FREQUENCY_MINUTES}–{MAX_FREQUENCY_MINUTES} minutes")
    header = (form.webhook_header or "").strip().lower()
    if not HEADER_NAME.match(header):
        problems.append("webhook header must be a header name (letters, digits, dashes)")
    api_key = (form.api_key or "").strip()
    if creating and not api_key:
        problems.append("an API key is required")
    if api_key and (not API_KEY_LENGTH[0] <= len(api_key) <= API_KEY_LENGTH[1] or any(c.isspace() for c in api_key)):
        problems.append(f"API key must be {API_KEY_LENGTH[0]}–{API_KEY_LENGTH[1]} characters without spaces")
    secret = (form.webhook_secret or "").strip()
    if secret and not WEBHOOK_SECRET_LENGTH[0] <= len(secret) <= WEBHOOK_SECRET_LENGTH[1]:
        problems.append(f"webhook secret must be {WEBHOOK_SECRET_LENGTH[0]}–{WEBHOOK_SECRET_LENGTH[1]} characters")
    window = form.sync_window_days
    if window is not None and not 1 <= window <= MAX_WINDOW_DAYS:
        problems.append(f"sync window must be 1–{MAX_WINDOW_DAYS} days")
    if problems:
        raise ValidationFailed("; ".join(problems), details={"errors": problems})
    values: dict[str, Any] = {"base_url": url, "plan": IntegrationPlan(form.plan), "active": bool(form.active),
                              "sync_frequency_minutes": int(form.sync_frequency_minutes), "webhook_header": header}
    if window is not None or creating:
        values["sync_window_days"] = int(window or DEFAULT_WINDOW_DAYS)
    if api_key:
        values["api_key_encrypted"] = encrypt_secret(api_key)
    if secret:
        values["webhook_secret_encrypted"] = encrypt_secret(secret)
    return values


@audited_write
async def save_integration(principal: Principal, company_id: int, form: IntegrationForm) -> dict[str, Any]:
    """Create or update the company's integration; its masked view."""
    principal.require(Permission.SYNC_DATA)
    async with unit_of_work() as session:
        if await session.get(Company, company_id) is None:
            raise NotFound(f"company {company_id} not found")
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id).with_for_update())
        values = _clean(form, creating=integration is None)
        old = audit.snapshot(integration, _AUDITED) if integration else None
        if integration is None:
            integration = CompanyIntegration(company_id=company_id, **values)
            session.add(integration)
        else:
            for name, value in values.items():
                setattr(integration, name, value)
        await session.flush()
        new = audit.snapshot(integration, _AUDITED) | {
            "api_key_changed": "api_key_encrypted" in values,
            "webhook_secret_changed": "webhook_secret_encrypted" in values,
        }
        audit.record(session, principal, "create" if old is None else "update", "company_integration", integration.id,
                     old=old, new=new, company_id=company_id)
        view = integration_view(integration)
    await schedule_integration(view["id"])
    return view
