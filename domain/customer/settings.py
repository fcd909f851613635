"""The company's choice for its customers' tracking pages: whether they show money (the estimated
value). Off by default; an admin turns it on for the whole company."""

from __future__ import annotations

from db.models import Company
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import NotFound
from domain.unit_of_work import read_session, unit_of_work

_FIELDS = ["customer_link_shows_financials"]


def _company_of(principal: Principal) -> int:
    return principal.own_company(Permission.MANAGE_COMPANY, "this setting belongs to a company: sign in as its admin")


async def tracking_shows_money(principal: Principal) -> bool:
    company_id = _company_of(principal)
    async with read_session() as session:
        company = await session.get(Company, company_id)
    if company is None:
        raise NotFound("company not found")
    return company.customer_link_shows_financials


@audited_write
async def set_tracking_shows_money(principal: Principal, shows: bool) -> bool:
    """Turn money on or off on every tracking page of the admin's company (audited)."""
    company_id = _company_of(principal)
    async with unit_of_work() as session:
        company = await session.get(Company, company_id, with_for_update=True)
        if company is None:
            raise NotFound("company not found")
        old = audit.snapshot(company, _FIELDS)
        company.customer_link_shows_financials = shows
        audit.record(session, principal, "update", "company", company.id, old=old,
                     new=audit.snapshot(company, _FIELDS), company_id=company.id)
        return shows
