"""Companies (tenants), managed by the super admin: list, create, rename, suspend/reactivate.
A new company gets the default six-phase template, so the journey workflow works for it at
once. Suspending a company shuts its users out (sign-in, open sessions and tokens)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CompanyStatus
from db.models import Company, Location, PhaseItemTemplate, User
from db.workflow_defaults import DEFAULT_TEMPLATE
from domain.audit.record import audited_write, snapshot
from domain.errors import NotFound, ValidationFailed
from domain.admin.schemas import CompanyChanges, NewCompany
from domain.paging import DEFAULT_PAGE_SIZE, Page, fetch_page, narrow, search_clause
from domain.access.rbac import Principal
from domain.admin.tenancy import (
    change_state,
    changed_fields,
    ensure_unique,
    flush_unique,
    record_change,
    require_super_admin,
)
from domain.unit_of_work import read_session, unit_of_work

AUDITED = ("name", "timezone", "status")


def company_view(row: Any) -> dict[str, Any]:
    """From a row of `_with_counts()`: the company, its number of users and of locations."""
    company, users, locations = row
    return {"id": company.id, "name": company.name, "timezone": company.timezone, "status": company.status.value,
            "created_at": company.created_at, "user_count": users, "location_count": locations}


def _with_counts() -> Select[Any]:
    users = select(func.count()).where(User.company_id == Company.id).scalar_subquery()
    locations = select(func.count()).where(Location.company_id == Company.id).scalar_subquery()
    return select(Company, users, locations)


async def list_companies(principal: Principal, *, search: str | None = None, status: CompanyStatus | None = None,
                         page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page[dict[str, Any]]:
    require_super_admin(principal)
    query = narrow(_with_counts(), search_clause(search, Company.name),
                   Company.status == status if status is not None else None)
    async with read_session() as session:
        return await fetch_page(session, query.order_by(Company.name), page, page_size, company_view)


async def get_company(principal: Principal, company_id: int) -> dict[str, Any]:
    require_super_admin(principal)
    async with read_session() as session:
        row = (await session.execute(_with_counts().where(Company.id == company_id))).first()
    if row is None:
        raise NotFound(f"company {company_id} not found")
    return company_view(row)


async def _name_taken(session: AsyncSession, name: str, except_id: int | None = None) -> None:
    await ensure_unique(session, Company, "name", name, f"a company named {name!r} already exists",
                        except_id=except_id)


@audited_write
async def create_company(principal: Principal, data: Mapping[str, Any] | NewCompany) -> dict[str, Any]:
    """`data`: name, optional timezone (default DEFAULT_TIMEZONE)."""
    require_super_admin(principal)
    values = NewCompany.parse(data).model_dump()
    async with unit_of_work() as session:
        await _name_taken(session, values["name"])
        company = Company(**values, status=CompanyStatus.ACTIVE)
        session.add(company)
        await flush_unique(session, f"a company named {values['name']!r}")
        session.add_all(PhaseItemTemplate(company_id=company.id, **row) for row in DEFAULT_TEMPLATE)
        record_change(session, principal, "create", "company", company.id, company.id,
                      new={**snapshot(company, AUDITED), "phase_items": len(DEFAULT_TEMPLATE)})
        return company_view((company, 0, 0))


@audited_write
async def update_company(principal: Principal, company_id: int,
                         changes: Mapping[str, Any] | CompanyChanges) -> dict[str, Any]:
    """Rename a company or change its time zone."""
    require_super_admin(principal)
    values = CompanyChanges.parse(changes).model_dump(exclude_unset=True)
    async with unit_of_work() as session:
        company = await session.get(Company, company_id, with_for_update=True)
        if company is None:
            raise NotFound(f"company {company_id} not found")
        if "name" in values:
            await _name_taken(session, values["name"], except_id=company_id)
        old, new = changed_fields(company, values)
        if not new:
            raise ValidationFailed("nothing to change: the values are the same as before")
        await flush_unique(session, f"a company named {company.name!r}")
        record_change(session, principal, "update", "company", company_id, company_id, old=old, new=new)
    return await get_company(principal, company_id)


@audited_write
async def suspend_company(principal: Principal, company_id: int) -> dict[str, Any]:
    await change_state(principal, Company, "company", company_id, "status", CompanyStatus.SUSPENDED, "suspend",
                       already="suspended")
    return await get_company(principal, company_id)


@audited_write
async def reactivate_company(principal: Principal, company_id: int) -> dict[str, Any]:
    await change_state(principal, Company, "company", company_id, "status", CompanyStatus.ACTIVE, "reactivate",
                       already="active")
    return await get_company(principal, company_id)


async def company_options(principal: Principal) -> dict[int, str]:
    """Every company by id → name, for the super admin's company chooser."""
    require_super_admin(principal)
    async with read_session() as session:
        return dict((await session.execute(select(Company.id, Company.name).order_by(Company.name))).tuples().all())
