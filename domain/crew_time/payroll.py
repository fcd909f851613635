"""The payroll CSV of one branch and pay period: per person, regular and overtime hours by the
company's rules (`hours.py`: rounding per day, then daily and weekly overtime), written through
`domain/csv_export.py` (formula-safe). Each export is audited.

A person's hours here are those of the branch's journeys: time the same person worked on another
branch's journeys goes on that branch's CSV."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from db.models import Location
from domain.access.rbac import Permission, Principal, location_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.crew_time.hours import hours, paid_days
from domain.crew_time.rules import load_rules
from domain.crew_time.timesheets import PersonDay, check_range, load_days
from domain.csv_export import csv_text
from domain.errors import NotFound
from domain.unit_of_work import unit_of_work
from domain.workflow.access import require_row_id

HEADER = ("Employee", "E-mail", "Branch", "Period start", "Period end", "Days worked", "Regular hours",
          "Overtime hours", "Total hours", "Break hours", "Days not approved", "Flagged")


@dataclass(frozen=True, slots=True)
class PayrollFile:
    content: str
    filename: str
    rows: int
    truncated: bool = False
    limit: int = 0


@audited_write
async def export_payroll_csv(principal: Principal, location_id: int, date_from: date, date_to: date) -> PayrollFile:
    principal.require(Permission.MANAGE_TIMESHEETS)
    require_row_id(location_id, "branch")
    check_range(date_from, date_to)
    async with unit_of_work() as session:
        location = await session.scalar(select(Location).where(Location.id == location_id, location_scope(principal)))
        if location is None:
            raise NotFound(f"branch {location_id} not found")
        days = await load_days(session, principal, date_from, date_to, location_ids=(location_id,))
        rules = await load_rules(session, location.company_id)
        by_person: dict[int, list[PersonDay]] = defaultdict(list)
        for day in days:
            by_person[day.user_id].append(day)
        rows = []
        for person_days in by_person.values():
            paid = paid_days({d.work_date: d.rounded_minutes for d in person_days}, rules)
            first = person_days[0]
            regular, overtime = sum(p.regular for p in paid), sum(p.overtime for p in paid)
            rows.append([first.name, first.email, location.name, date_from, date_to, len(person_days),
                         hours(regular), hours(overtime), hours(regular + overtime),
                         hours(sum(d.break_seconds for d in person_days) // 60),
                         sum(1 for d in person_days if d.approved_at is None), sum(d.flagged for d in person_days)])
        audit.record(session, principal, "export", "payroll", location_id, company_id=location.company_id, new={
            "location_id": location_id, "date_from": date_from, "date_to": date_to, "rows": len(rows),
            "rules": rules.as_dict()})
    filename = f"payroll-{_slug(location.name)}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
    return PayrollFile(csv_text(HEADER, rows), filename, len(rows))


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "branch"
