"""Each company's crew-time rules: the distance that flags a clock event, overtime (daily and/or
weekly) and rounding. A company without its own row has the defaults (500 m, 8 h a day, 40 h a
week, nearest 15 minutes per day)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CompanyTimeRules
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.crew_time.schemas import TimeRulesForm
from domain.unit_of_work import read_session, unit_of_work


@dataclass(frozen=True, slots=True)
class TimeRules:
    max_distance_m: int = 500
    daily_overtime_after_minutes: int | None = 480
    weekly_overtime_after_minutes: int | None = 2400
    rounding_minutes: int = 15

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def words(self) -> str:
        """The rules in one sentence, for the pages and the CSV's readers."""
        parts = []
        if self.daily_overtime_after_minutes is not None:
            parts.append(f"overtime after {_hours(self.daily_overtime_after_minutes)} a day")
        if self.weekly_overtime_after_minutes is not None:
            parts.append(f"after {_hours(self.weekly_overtime_after_minutes)} a week")
        overtime = " and ".join(parts) if parts else "no overtime rule"
        rounding = ("not rounded" if self.rounding_minutes == 1
                    else f"each day rounded to the nearest {self.rounding_minutes} minutes")
        return f"{overtime[:1].upper()}{overtime[1:]}; {rounding}; flagged beyond {self.max_distance_m} m of the branch"


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h" + (f" {minutes % 60:02d}" if minutes % 60 else "")


_FIELDS = tuple(TimeRules.__dataclass_fields__)


async def load_rules(session: AsyncSession, company_id: int) -> TimeRules:
    row = await session.scalar(select(CompanyTimeRules).where(CompanyTimeRules.company_id == company_id))
    if row is None:
        return TimeRules()
    return TimeRules(**{name: getattr(row, name) for name in _FIELDS})


def _company_of(principal: Principal, permission: Permission) -> int:
    return principal.own_company(permission, "crew time belongs to a company: sign in as one of its users")


async def time_rules(principal: Principal) -> TimeRules:
    """The rules of the principal's company (managers and admins)."""
    company_id = _company_of(principal, Permission.MANAGE_TIMESHEETS)
    async with read_session() as session:
        return await load_rules(session, company_id)


@audited_write
async def save_time_rules(principal: Principal, form: TimeRulesForm | dict[str, Any]) -> TimeRules:
    """Change the company's rules (admins). Old → new in the audit trail."""
    company_id = _company_of(principal, Permission.MANAGE_COMPANY)
    checked = TimeRulesForm.parse(form)
    new = TimeRules(**checked.model_dump())
    async with unit_of_work() as session:
        row = await session.get(CompanyTimeRules, company_id, with_for_update=True)
        old = await load_rules(session, company_id) if row is None else TimeRules(
            **{name: getattr(row, name) for name in _FIELDS})
        if row is None:
            row = CompanyTimeRules(company_id=company_id)
            session.add(row)
        for name, value in new.as_dict().items():
            setattr(row, name, value)
        row.updated_by_id = principal.user_id
        audit.record(session, principal, "update", "time_rules", company_id, old=old.as_dict(), new=new.as_dict())
    return new
