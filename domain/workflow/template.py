"""The six-phase template as data: each company's checklist items per phase.

A company without rows of its own works with `db.workflow_defaults.DEFAULT_TEMPLATE`. The first
time an admin changes anything, the default is copied into the company's rows and the change is
applied to the copy. Changes apply at once to every phase not completed yet (the template is
read live when a phase is worked and completed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ItemKind, Phase
from db.models import PhaseItemTemplate
from db.workflow_defaults import DEFAULT_TEMPLATE
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import NotFound, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.items import ItemSpec, clean_label, clean_options, item_key

#: More items than this in one phase would not fit a phone screen anyone reads with gloves on.
MAX_ITEMS_PER_PHASE = 25

Template = dict[Phase, list[ItemSpec]]


def default_template() -> Template:
    template: Template = {phase: [] for phase in Phase}
    for row in DEFAULT_TEMPLATE:
        template[row["phase"]].append(
            ItemSpec(phase=row["phase"], key=row["key"], label=row["label"], kind=row["kind"],
                     required=row["required"], options=dict(row["options"]), position=row["position"])
        )
    return template


def _spec(row: PhaseItemTemplate) -> ItemSpec:
    return ItemSpec(phase=row.phase, key=row.key, label=row.label, kind=row.kind, required=row.required,
                    options=dict(row.options or {}), position=row.position)


async def load_template(session: AsyncSession, company_id: int) -> Template:
    """The company's active items per phase, in order; the default when it has none."""
    rows = (
        await session.scalars(
            select(PhaseItemTemplate)
            .where(PhaseItemTemplate.company_id == company_id)
            .order_by(PhaseItemTemplate.phase, PhaseItemTemplate.position, PhaseItemTemplate.id)
        )
    ).all()
    if not rows:
        return default_template()
    template: Template = {phase: [] for phase in Phase}
    for row in rows:
        if row.active:
            template[row.phase].append(_spec(row))
    return template


def _admin_company(principal: Principal) -> int:
    return principal.own_company(Permission.MANAGE_COMPANY,
                                 "the workflow template belongs to a company: sign in as its admin")


async def company_template(principal: Principal) -> Template:
    """The template an admin edits (the default until the company has its own)."""
    company_id = _admin_company(principal)
    async with read_session() as session:
        return await load_template(session, company_id)


async def _company_rows(session: AsyncSession, company_id: int) -> list[PhaseItemTemplate]:
    """The company's rows, copying the default in first when it has none (locked for the edit)."""
    query = select(PhaseItemTemplate).where(PhaseItemTemplate.company_id == company_id).with_for_update()
    rows = list((await session.scalars(query)).all())
    if rows:
        return rows
    rows = [PhaseItemTemplate(company_id=company_id, **row) for row in DEFAULT_TEMPLATE]
    session.add_all(rows)
    await session.flush()
    return rows


def _changed(session: AsyncSession, company_id: int, phase: Phase, key: str) -> None:
    events.queue(session, DomainEvent(EventType.WORKFLOW_TEMPLATE_CHANGED, company_id,
                                      data={"phase": phase.value, "key": key}))


@audited_write
async def set_item_required(principal: Principal, phase: Phase, key: str, required: bool) -> ItemSpec:
    """Make an item of the company's template required or optional."""
    company_id = _admin_company(principal)
    async with unit_of_work() as session:
        rows = await _company_rows(session, company_id)
        row = next((r for r in rows if r.phase is phase and r.key == key and r.active), None)
        if row is None:
            raise NotFound(f"no item '{key}' in {phase.value}")
        old = audit.snapshot(row, ("phase", "key", "required"))
        row.required = bool(required)
        await session.flush()
        audit.record(session, principal, "phase_item.required_changed", "phase_item_template", row.id,
                     old=old, new=audit.snapshot(row, ("phase", "key", "required")))
        _changed(session, company_id, phase, key)
        return _spec(row)


@audited_write
async def add_item(principal: Principal, phase: Phase, label: str, kind: ItemKind, *, required: bool = True,
                   options: dict[str, Any] | None = None) -> ItemSpec:
    """Add a checklist item at the end of a phase of the company's template."""
    company_id = _admin_company(principal)
    label = clean_label(label)
    cleaned = clean_options(kind, options)
    async with unit_of_work() as session:
        rows = await _company_rows(session, company_id)
        in_phase = [r for r in rows if r.phase is phase]
        if sum(r.active for r in in_phase) >= MAX_ITEMS_PER_PHASE:
            raise ValidationFailed(f"{phase.value} already has {MAX_ITEMS_PER_PHASE} items")
        taken = {r.key for r in in_phase}
        base = key = item_key(label)
        suffix = 2
        while key in taken:
            key, suffix = f"{base}_{suffix}", suffix + 1
        position = await session.scalar(
            select(func.coalesce(func.max(PhaseItemTemplate.position), -1) + 1).where(
                PhaseItemTemplate.company_id == company_id, PhaseItemTemplate.phase == phase
            )
        )
        row = PhaseItemTemplate(company_id=company_id, phase=phase, key=key, label=label, kind=kind,
                                required=bool(required), options=cleaned, position=position or 0)
        session.add(row)
        await session.flush()
        audit.record(session, principal, "phase_item.added", "phase_item_template", row.id,
                     new=audit.snapshot(row, ("phase", "key", "label", "kind", "required", "options", "position")))
        _changed(session, company_id, phase, key)
        return _spec(row)
