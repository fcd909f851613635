"""The journey detail read model: the card, the six phases with what the crew recorded on each
(checklist answers, photos, signatures, readings) and, for those who may read the audit trail,
the journey's audit entries. Phases are shown as stored: the workflow engine moves them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.enums import ActivityKind, Phase, StepStatus
from db.models import AuditEntry, Journey, JourneyStep, PhaseItemTemplate, StepActivity, User
from domain.access.rbac import Permission, Principal, audit_scope
from domain.board.cards import JobCard, job_card
from domain.documents.consent import evidence_words
from domain.errors import NotFound
from domain.audit.words import Names, action_words, change_words, load_names, value_words
from domain.journeys.job_sheet import Balance, JobSheet, balance_of, job_sheet
from domain.journeys.labels import plain_words, zone_words
from domain.timewindow import local_time
from domain.unit_of_work import read_session

#: Most audit entries shown on one journey's page (newest first).
MAX_AUDIT_ENTRIES = 200
_FINANCIAL_KEYS = ("estimated_value",)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    id: int
    kind: ActivityKind
    label: str
    value: str
    media_id: int | None
    by: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class StepRecord:
    phase: Phase
    position: int
    status: StepStatus
    started_at: datetime | None
    completed_at: datetime | None
    approved_at: datetime | None
    rejection_reason: str | None
    activities: tuple[ActivityRecord, ...]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: datetime | None
    actor: str | None
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    #: The action and the change in words ("Truck: none → TOR-2101; crew: + Noah Anderson (driver)").
    action_words: str = ""
    changes: str = ""


@dataclass(frozen=True, slots=True)
class JourneyDetail:
    card: JobCard
    steps: tuple[StepRecord, ...]
    #: None when the principal may not read the audit trail.
    audit: tuple[AuditRecord, ...] | None
    #: What the crew needs on site (SmartMoving jobs), None for manual journeys.
    sheet: JobSheet | None = None
    #: Only for principals with `can_view_financial_data` (and a SmartMoving total).
    balance: Balance | None = None


def _value_text(kind: ActivityKind, data: dict[str, Any], tz: str) -> str:
    """A recorded value in words: a time reading as the branch's local 24-hour time, a position as
    its coordinates, yes/no, or the text."""
    if kind is ActivityKind.SIGNATURE:
        return evidence_words(data, tz)
    if kind is ActivityKind.GPS or {"lat", "lng"} <= data.keys():
        return f"{data.get('lat')}, {data.get('lng')}"
    value = data.get("value", data.get("text", data.get("note")))
    if value is None and isinstance(data.get("time"), str):
        moment = local_time(datetime.fromisoformat(data["time"]), tz)
        return f"{moment:%H:%M} ({zone_words(tz)})" if moment else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "; ".join(f"{plain_words(k)}: {value_words(k, v, Names(), ZoneInfo(tz))}" for k, v in data.items())
    return str(value)


def _without_financials(values: dict[str, Any] | None, financial: bool) -> dict[str, Any] | None:
    if values is None or financial:
        return values
    return {k: v for k, v in values.items() if k not in _FINANCIAL_KEYS}


async def journey_detail(principal: Principal, journey_id: int) -> JourneyDetail:
    async with read_session() as session:
        card = await job_card(session, principal, journey_id)
        if card is None:
            raise NotFound(f"journey {journey_id} not found")
        tz = card.timezone
        steps = (await session.scalars(
            select(JourneyStep).where(JourneyStep.journey_id == journey_id).order_by(JourneyStep.position)
        )).all()
        company = select(Journey.company_id).where(Journey.id == journey_id).scalar_subquery()
        labels = {
            (phase, key): label
            for phase, key, label in await session.execute(
                select(PhaseItemTemplate.phase, PhaseItemTemplate.key, PhaseItemTemplate.label)
                .where(PhaseItemTemplate.company_id == company)
            )
        }
        phases = {s.id: s.phase for s in steps}
        activities: dict[int, list[ActivityRecord]] = {}
        for activity, by in await session.execute(
            select(StepActivity, User.full_name)
            .outerjoin(User, User.id == StepActivity.created_by_id)
            .join(JourneyStep, JourneyStep.id == StepActivity.step_id)
            .where(JourneyStep.journey_id == journey_id)
            .order_by(StepActivity.id)
        ):
            activities.setdefault(activity.step_id, []).append(ActivityRecord(
                activity.id, activity.kind,
                labels.get((phases[activity.step_id], activity.item_key or ""),
                           activity.item_key or plain_words(activity.kind.value)),
                _value_text(activity.kind, activity.data or {}, tz), activity.media_id, by,
                local_time(activity.created_at, tz),
            ))
        trail = None
        if principal.can(Permission.VIEW_AUDIT):
            entries = (await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity == "journey", AuditEntry.entity_id == str(journey_id), audit_scope(principal))
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .limit(MAX_AUDIT_ENTRIES)
            )).all()
            financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
            values = [(_without_financials(e.old_values, financial), _without_financials(e.new_values, financial))
                      for e in entries]
            names = await load_names(session, [v for pair in values for v in pair])
            trail = tuple(
                AuditRecord(local_time(e.at, tz), e.actor_email, e.action, old, new, action_words(e.action),
                            change_words(old, new, names, ZoneInfo(tz)))
                for e, (old, new) in zip(entries, values, strict=True)
            )
        sheet = await job_sheet(session, principal, journey_id)
        balance = await balance_of(session, principal, journey_id)
    return JourneyDetail(
        card=card,
        steps=tuple(
            StepRecord(s.phase, s.position, s.status, local_time(s.started_at, tz), local_time(s.completed_at, tz),
                       local_time(s.approved_at, tz), s.rejection_reason, tuple(activities.get(s.id, [])))
            for s in steps
        ),
        audit=trail,
        sheet=sheet,
        balance=balance,
    )
