"""Reading the audit trail: filtered, paged lists and the CSV export, within `audit_scope`
(auditors and admins: their company; the super admin: every company). Read-only, except that
each export is itself recorded (who took a copy of the trail, with which filters).

Date filters are whole days in the company's time zone (UTC for a super admin looking across
companies), both ends included.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, distinct, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry, Company
from domain.access.rbac import Permission, Principal, audit_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.audit.words import action_words, change_words, entity_words, load_names
from domain.csv_export import csv_text
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.paging import DEFAULT_PAGE_SIZE, MAX_SEARCH_LENGTH, Page, fetch_page, search_clause
from domain.unit_of_work import read_session, unit_of_work

#: The most rows one CSV export carries; the export says so when it stops there.
EXPORT_ROW_LIMIT = 50_000
CSV_COLUMNS = ("id", "at", "company_id", "user_id", "actor_email", "action", "entity", "entity_id", "ip",
               "old_values", "new_values")


@dataclass(frozen=True, slots=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    #: Part of the actor's email.
    actor: str | None = None
    entity: str | None = None
    action: str | None = None
    #: Super admin only: one company.
    company_id: int | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed("the start date is after the end date")
        for name in ("entity", "action"):
            if len(getattr(self, name) or "") > MAX_SEARCH_LENGTH:
                raise ValidationFailed(f"{name} must be at most {MAX_SEARCH_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class CsvExport:
    content: str
    rows: int
    truncated: bool
    limit: int

    @property
    def filename(self) -> str:
        return f"audit-{datetime.now().strftime('%Y%m%d-%H%M%S')}.csv"


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at, "company_id": entry.company_id, "user_id": entry.user_id,
            "actor_email": entry.actor_email, "action": entry.action, "entity": entry.entity,
            "entity_id": entry.entity_id, "ip": entry.ip, "old_values": entry.old_values,
            "new_values": entry.new_values}


def _require_audit(principal: Principal) -> None:
    principal.require(Permission.VIEW_AUDIT)


async def _zone(session: AsyncSession, principal: Principal, company_id: int | None) -> ZoneInfo:
    """The time zone of the company whose trail is read (UTC for the whole trail)."""
    owner = company_id if principal.is_super_admin else principal.company_id
    if owner is None:
        return ZoneInfo("UTC")
    name = await session.scalar(select(Company.timezone).where(Company.id == owner))
    if name is None:
        raise NotFound(f"company {owner} not found")
    return ZoneInfo(name)


async def _where(session: AsyncSession, principal: Principal, f: AuditFilters) -> ColumnElement[bool]:
    _require_audit(principal)
    clauses: list[ColumnElement[bool]] = [audit_scope(principal)]
    if f.company_id is not None:
        if not principal.is_super_admin and f.company_id != principal.company_id:
            raise Forbidden("you may only read your own company's audit trail")
        clauses.append(AuditEntry.company_id == f.company_id)
    zone = await _zone(session, principal, f.company_id)
    if f.date_from:
        clauses.append(AuditEntry.at >= datetime.combine(f.date_from, time(), zone))
    if f.date_to:
        clauses.append(AuditEntry.at < datetime.combine(f.date_to + timedelta(days=1), time(), zone))
    if f.user_id is not None:
        clauses.append(AuditEntry.user_id == f.user_id)
    if (match := search_clause(f.actor, AuditEntry.actor_email)) is not None:
        clauses.append(match)
    if f.entity:
        clauses.append(AuditEntry.entity == f.entity)
    if f.action:
        clauses.append(AuditEntry.action == f.action)
    return and_(*clauses)


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


async def list_audit_entries(principal: Principal, filters: AuditFilters = AuditFilters(), *, page: int = 1,
                             page_size: int = DEFAULT_PAGE_SIZE) -> Page[dict[str, Any]]:
    """A page of the trail, newest first; each entry also in words (`action_words`, `entity_words`,
    `changes` with ids resolved to names in one query per kind for the page, `when` in the
    company's zone, 24-hour)."""
    async with read_session() as session:
        query = _newest_first(select(AuditEntry).where(await _where(session, principal, filters)))
        found = await fetch_page(session, query, page, page_size, entry_view)
        zone = await _zone(session, principal, filters.company_id)
        names = await load_names(session, [v for item in found.items for v in (item["old_values"],
                                                                              item["new_values"])])
    for item in found.items:
        at = item["at"] if item["at"].tzinfo else item["at"].replace(tzinfo=UTC)  # SQLite: naive UTC
        item.update(when=f"{at.astimezone(zone):%d %b %Y %H:%M %Z}", zone=zone.key,
                    action_words=action_words(item["action"]), entity_words=entity_words(item["entity"]),
                    changes=change_words(item["old_values"], item["new_values"], names, zone))
    return found


async def audit_filter_choices(principal: Principal) -> dict[str, dict[str, str]]:
    """The entities and actions present in the principal's part of the trail (for filter menus):
    value → words, sorted by the words."""
    _require_audit(principal)
    async with read_session() as session:
        scope = audit_scope(principal)
        entities = (await session.scalars(select(distinct(AuditEntry.entity)).where(scope))).all()
        actions = (await session.scalars(select(distinct(AuditEntry.action)).where(scope))).all()
    return {"entities": dict(sorted(((e, entity_words(e)) for e in entities), key=lambda pair: pair[1])),
            "actions": dict(sorted(((a, action_words(a)) for a in actions), key=lambda pair: pair[1]))}


@audited_write
async def export_audit_csv(principal: Principal, filters: AuditFilters = AuditFilters(), *,
                           limit: int = EXPORT_ROW_LIMIT) -> CsvExport:
    """The filtered trail as CSV (a header row, newest first), at most `limit` rows."""
    if not 1 <= limit <= EXPORT_ROW_LIMIT:
        raise ValidationFailed(f"the export limit must be between 1 and {EXPORT_ROW_LIMIT}")
    async with unit_of_work() as session:
        columns = [getattr(AuditEntry, c) for c in CSV_COLUMNS]  # plain rows: no ORM objects for 50k entries
        query = _newest_first(select(*columns).where(await _where(session, principal, filters))).limit(limit + 1)
        found = (await session.execute(query)).all()
        truncated = len(found) > limit
        rows = min(len(found), limit)
        audit.record(session, principal, "export", "audit", None,
                     new={"filters": asdict(filters), "rows": rows, "truncated": truncated},
                     company_id=filters.company_id if principal.is_super_admin else None)
    # tens of thousands of rows to format: off the event loop
    return CsvExport(await asyncio.to_thread(csv_text, CSV_COLUMNS, found[:limit]), rows, truncated, limit)
