"""Company management read models for the super admin portal and its API: the companies and
their integrations, one company's figures, its synced catalogue and its locations."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from db.enums import DataSource, SyncRunStatus, UserStatus
from db.models.integration import CatalogueMixin
from db.models import (
    Company,
    CompanyBranch,
    CompanyIntegration,
    CompanyMaterial,
    CompanyMoveSize,
    CompanyServiceType,
    CompanyUser,
    Journey,
    Location,
    SyncRun,
    Truck,
    User,
)
from domain.access.rbac import Permission, Principal
from domain.errors import NotFound, ValidationFailed
from domain.sync.budget import calls_this_month, month_start
from domain.sync.call_plan import QUOTAS
from domain.sync.settings import integration_view
from domain.sync.views import Window, window_clause
from domain.timewindow import today_in
from domain.unit_of_work import read_session

CHART_DAYS = 14
SUCCESS_RATE_DAYS = 30
CATALOGUE_KINDS = ("branches", "service_types", "move_sizes", "materials", "users")


async def list_companies(principal: Principal) -> list[dict[str, Any]]:
    """Every company with its integration's state and this month's calls (super admin)."""
    principal.require(Permission.VIEW_ALL_COMPANIES)
    now = datetime.now(UTC)
    async with read_session() as session:
        locations = (select(Location.company_id, func.count().label("n")).group_by(Location.company_id).subquery())
        users = (select(User.company_id, func.count().label("n")).where(User.status == UserStatus.ACTIVE)
                 .group_by(User.company_id).subquery())
        calls = (select(SyncRun.integration_id, func.sum(SyncRun.api_calls).label("n"))
                 .where(SyncRun.started_at >= month_start(now)).group_by(SyncRun.integration_id).subquery())
        rows = await session.execute(
            select(Company, CompanyIntegration, locations.c.n, users.c.n, calls.c.n)
            .outerjoin(CompanyIntegration, CompanyIntegration.company_id == Company.id)
            .outerjoin(locations, locations.c.company_id == Company.id)
            .outerjoin(users, users.c.company_id == Company.id)
            .outerjoin(calls, calls.c.integration_id == CompanyIntegration.id)
            .order_by(Company.name))
        return [
            {"id": company.id, "name": company.name, "status": company.status.value, "timezone": company.timezone,
             "locations": n_locations or 0, "users": n_users or 0,
             "integration": None if integration is None else {
                 "id": integration.id, "status": integration.status.value, "plan": integration.plan.value,
                 "active": integration.active, "last_sync_at": integration.last_sync_at,
                 "last_error": integration.last_error, "calls_this_month": int(n_calls or 0),
                 "quota": QUOTAS[integration.plan]}}
            for company, integration, n_locations, n_users, n_calls in rows
        ]


async def _company(session: Any, company_id: int) -> tuple[Company, CompanyIntegration | None]:
    company = await session.get(Company, company_id)
    if company is None:
        raise NotFound(f"company {company_id} not found")
    integration = await session.scalar(select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
    return company, integration


async def company_detail(principal: Principal, company_id: int) -> dict[str, Any]:
    principal.require_company_access(company_id)
    async with read_session() as session:
        company, integration = await _company(session, company_id)
        return {"id": company.id, "name": company.name, "status": company.status.value, "timezone": company.timezone,
                "created_at": company.created_at,
                "integration": integration_view(integration) if integration else None}


async def company_stats(principal: Principal, company_id: int) -> dict[str, Any]:
    """Tiles and chart data of one company."""
    principal.require_company_access(company_id)
    async with read_session() as session:
        company, integration = await _company(session, company_id)
        today = today_in(company.timezone)

        async def count(model: Any, *where: Any) -> int:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
        per_day: dict[str, Counter[date]] = defaultdict(Counter)
        for day, source, n in await session.execute(
                select(Journey.journey_date, Journey.data_source, func.count())
                .where(Journey.company_id == company_id, Journey.journey_date.between(days[0], days[-1]))
                .group_by(Journey.journey_date, Journey.data_source)):
            per_day[source.value][day] = n
        stats: dict[str, Any] = {
            "company_id": company_id, "today": today,
            "locations": await count(Location, Location.company_id == company_id, Location.active.is_(True)),
            "users": await count(User, User.company_id == company_id, User.status == UserStatus.ACTIVE),
            "trucks": await count(Truck, Truck.company_id == company_id, Truck.active.is_(True)),
            "journeys_today": await count(Journey, Journey.company_id == company_id, Journey.journey_date == today),
            "smartmoving_today": await count(Journey, Journey.company_id == company_id, Journey.journey_date == today,
                                             Journey.data_source == DataSource.SMARTMOVING),
            "journeys_tomorrow": await count(Journey, Journey.company_id == company_id,
                                             Journey.journey_date == today + timedelta(days=1)),
            "jobs_per_day": {"days": [d.isoformat() for d in days],
                             **{s.value: [per_day[s.value][d] for d in days] for s in DataSource}},
            "sync": None,
        }
        if integration is not None:
            stats["sync"] = await _sync_figures(session, integration, today)
        return stats


async def _sync_figures(session: Any, integration: CompanyIntegration, today: date) -> dict[str, Any]:
    now = datetime.now(UTC)
    since = now - timedelta(days=max(SUCCESS_RATE_DAYS, CHART_DAYS))
    runs = (await session.execute(select(SyncRun.started_at, SyncRun.status)
                                  .where(SyncRun.integration_id == integration.id, SyncRun.started_at >= since))).all()
    recent = Counter(status for started, status in runs
                     if _aware(started) >= now - timedelta(days=SUCCESS_RATE_DAYS))
    finished = recent[SyncRunStatus.SUCCEEDED] + recent[SyncRunStatus.FAILED]
    days = [(now - timedelta(days=CHART_DAYS - 1 - i)).date() for i in range(CHART_DAYS)]
    by_day: dict[SyncRunStatus, Counter[date]] = defaultdict(Counter)
    for started, status in runs:
        by_day[status][_aware(started).date()] += 1
    return {
        "status": integration.status.value, "plan": integration.plan.value,
        "calls_this_month": await calls_this_month(session, integration.id, now), "quota": QUOTAS[integration.plan],
        "success_rate": round(100 * recent[SyncRunStatus.SUCCEEDED] / finished, 1) if finished else None,
        "runs": {s.value: recent[s] for s in SyncRunStatus},
        "runs_per_day": {"days": [d.isoformat() for d in days],
                         **{s.value: [by_day[s][d] for d in days] for s in SyncRunStatus}},
    }


async def company_catalogue(principal: Principal, company_id: int, kind: str) -> list[dict[str, Any]]:
    """One tab of the synced catalogue."""
    principal.require_company_access(company_id)
    if kind not in CATALOGUE_KINDS:
        raise ValidationFailed(f"catalogue kind must be one of {', '.join(CATALOGUE_KINDS)}")
    async with read_session() as session:
        if kind == "branches":
            rows = await session.execute(
                select(CompanyBranch.id, CompanyBranch.external_id, CompanyBranch.name, CompanyBranch.phone,
                       CompanyBranch.is_primary, CompanyBranch.lat, CompanyBranch.lng, CompanyBranch.location_id,
                       Location.name.label("location"), Location.timezone)
                .outerjoin(Location, Location.id == CompanyBranch.location_id)
                .where(CompanyBranch.company_id == company_id).order_by(CompanyBranch.name))
            return [row._asdict() for row in rows]
        catalogues: dict[str, tuple[type[CatalogueMixin], tuple[str, ...]]] = {
            "service_types": (CompanyServiceType, ("name",)),
            "move_sizes": (CompanyMoveSize, ("name", "description", "volume", "weight")),
            "materials": (CompanyMaterial, ("name", "description", "rate", "cost", "tariff_external_id")),
            "users": (CompanyUser, ("name", "title", "email", "role_name")),
        }
        model, columns = catalogues[kind]
        rows = await session.execute(
            select(model.id, model.external_id, *(getattr(model, c) for c in columns))
            .where(model.company_id == company_id).order_by(model.name))
        return [row._asdict() for row in rows]


async def company_locations(principal: Principal, company_id: int) -> list[dict[str, Any]]:
    """Every location of the company at a glance: link to SmartMoving and today's journeys."""
    principal.require_company_access(company_id)
    async with read_session() as session:
        today_counts = dict((await session.execute(
            select(Journey.location_id, func.count()).join(Location, Location.id == Journey.location_id)
            .where(Location.company_id == company_id, await window_clause(session, Window.TODAY))
            .group_by(Journey.location_id))).tuples().all())
        rows = await session.execute(
            select(Location.id, Location.name, Location.city, Location.province, Location.country, Location.timezone,
                   Location.lat, Location.lng, Location.active, CompanyBranch.name.label("branch"))
            .outerjoin(CompanyBranch, CompanyBranch.location_id == Location.id)
            .where(Location.company_id == company_id).order_by(Location.name))
        return [{**row._asdict(), "journeys_today": today_counts.get(row.id, 0)} for row in rows]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
