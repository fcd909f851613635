"""What company administration shares: who may administer, which company a write applies to,
loading a record of one's own company, and recording a change (audit entry + event).

ADMIN administers their own company; SUPER_ADMIN any company, named explicitly on every write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.models import Company
from domain.access.rbac import Permission, Principal
from domain.schemas import Schema
from domain.audit import record as audit
from domain.audit.record import audited_write, snapshot
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.unit_of_work import read_session, unit_of_work

Model = TypeVar("Model")


def require_admin(principal: Principal) -> None:
    principal.require(Permission.MANAGE_COMPANY)


def require_super_admin(principal: Principal) -> None:
    if not principal.is_super_admin:
        raise Forbidden("only a super admin may manage companies")


async def target_company(session: AsyncSession, principal: Principal, company_id: int | None) -> int:
    """The company a new record goes to: an admin's own; for a super admin the one named."""
    require_admin(principal)
    if not principal.is_super_admin:
        if company_id is not None and company_id != principal.company_id:
            raise Forbidden("you may only manage your own company")
        assert principal.company_id is not None
        return principal.company_id
    if company_id is None:
        raise ValidationFailed("choose the company (company_id)")
    if await session.get(Company, company_id) is None:
        raise NotFound(f"company {company_id} not found")
    return company_id


def company_filter(principal: Principal, company_id: int | None,
                   column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None]) -> ColumnElement[bool]:
    """The extra WHERE of an admin list: a super admin may narrow it to one company."""
    require_admin(principal)
    if company_id is None:
        return true()
    if not principal.is_super_admin and company_id != principal.company_id:
        raise Forbidden("you may only manage your own company")
    return column == company_id


async def load_owned(session: AsyncSession, principal: Principal, model: type[Model], entity_id: int,
                     label: str, *, lock: bool = True) -> Model:
    """The record (locked for the update unless `lock` is false) if it belongs to a company the
    principal administers. Another company's record is "not found", exactly as a missing one:
    a 403 would tell an admin which ids exist elsewhere."""
    require_admin(principal)
    obj = await session.get(model, entity_id, with_for_update=lock)
    if obj is None or not principal.reaches_company(getattr(obj, "company_id", None)):  # a Company: super admins
        raise NotFound(f"{label} {entity_id} not found")
    return obj


async def read_owned(principal: Principal, model: type[Model], entity_id: int, label: str,
                     view: Callable[[Model], dict[str, Any]]) -> dict[str, Any]:
    """One record the principal administers, as `view` shows it."""
    async with read_session() as session:
        return view(await load_owned(session, principal, model, entity_id, label, lock=False))


async def flush_unique(session: AsyncSession, what: str) -> None:
    """Flush; a unique constraint hit by a concurrent write becomes a 409, not a 500."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(exc.orig):
            raise Conflict(f"{what} already exists") from exc
        raise


def record_change(session: AsyncSession, principal: Principal, action: str, entity: str, entity_id: int,
                  company_id: int | None, *, old: dict[str, Any] | None = None,
                  new: dict[str, Any] | None = None, location_id: int | None = None) -> None:
    """Audit the change in its transaction and queue the event published after commit."""
    audit.record(session, principal, action, entity, entity_id, old=old, new=new, company_id=company_id)
    events.queue(session, DomainEvent(EventType.RESOURCE_CHANGED, company_id, location_id,
                                      data={"entity": entity, "entity_id": entity_id, "action": action}))


def changed_fields(obj: object, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply `values` to `obj`; (old, new) of the fields that really changed."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            old[name], new[name] = getattr(obj, name), value
            setattr(obj, name, value)
    return old, new


@audited_write
async def change_state(principal: Principal, model: type[Model], label: str, entity_id: int,
                       attr: str, value: Any, action: str, *, already: str,
                       also: Callable[[AsyncSession, int], Awaitable[None]] | None = None) -> Model:
    """Deactivate/reactivate/suspend one record; 409 ("... is already `already`") if it is.
    `also(session, entity_id)` runs in the same transaction (e.g. ending a user's sessions)."""
    async with unit_of_work() as session:
        if model is Company:
            require_super_admin(principal)
        obj = await load_owned(session, principal, model, entity_id, label)
        current = getattr(obj, attr)
        if current == value:
            raise Conflict(f"{label} {entity_id} is already {already}")
        setattr(obj, attr, value)
        if also is not None:
            await also(session, entity_id)
        company_id = getattr(obj, "company_id", None) if model is not Company else entity_id
        record_change(session, principal, action, label, entity_id, company_id,
                      old={attr: current}, new={attr: value}, location_id=getattr(obj, "location_id", None))
    return obj


#: Extra rule of an entity, run in the transaction: (session, checked values, company id).
ValuesCheck = Callable[[AsyncSession, dict[str, Any], int], Awaitable[None]]


async def ensure_unique(session: AsyncSession, model: Any, attr: str, value: str, message: str, *,
                        company_id: int | None = None, except_id: int | None = None) -> None:
    """409 with `message` when another row of `model` (of `company_id`, when given) has the same
    `attr`, regardless of case."""
    query = select(model.id).where(func.lower(getattr(model, attr)) == value.lower())
    if company_id is not None:
        query = query.where(model.company_id == company_id)
    if except_id is not None:
        query = query.where(model.id != except_id)
    if await session.scalar(query) is not None:
        raise Conflict(message)


def _taken(label: str, attr: str, value: str) -> str:
    return f"a {label} with the {attr} {value!r} already exists in this company"


@audited_write
async def create_record(principal: Principal, model: type[Model], label: str, schema: type[Schema],
                        data: Mapping[str, Any] | Schema, *, unique: str, audited: Sequence[str],
                        check: ValuesCheck | None = None) -> Model:
    """Create a company-owned record checked by `schema` (whose `company_id` is required of a super admin)."""
    checked = schema.parse(data)
    company_id = getattr(checked, "company_id", None)
    values = checked.model_dump(exclude_unset=True, exclude={"company_id"})
    async with unit_of_work() as session:
        owner = await target_company(session, principal, company_id)
        if check is not None:
            await check(session, values, owner)
        await ensure_unique(session, model, unique, values[unique], _taken(label, unique, values[unique]),
                            company_id=owner)
        obj = model(company_id=owner, **values)  # type: ignore[call-arg]  # Location, Truck or User: mapped constructors
        session.add(obj)
        await flush_unique(session, f"that {label}")
        record_change(session, principal, "create", label, obj.id, owner, new=snapshot(obj, audited),  # type: ignore[attr-defined]
                      location_id=getattr(obj, "location_id", None))
    return obj


@audited_write
async def update_record(principal: Principal, model: type[Model], label: str, schema: type[Schema],
                        entity_id: int, changes: Mapping[str, Any] | Schema, *, unique: str,
                        check: ValuesCheck | None = None) -> Model:
    """Change the fields sent (checked by the edit `schema`) of a company-owned record; 422 when
    nothing would change."""
    values = schema.parse(changes).model_dump(exclude_unset=True)
    async with unit_of_work() as session:
        obj = await load_owned(session, principal, model, entity_id, label)
        company_id: int = obj.company_id  # type: ignore[attr-defined]
        if check is not None:
            await check(session, values, company_id)
        if unique in values:
            await ensure_unique(session, model, unique, values[unique], _taken(label, unique, values[unique]),
                                company_id=company_id, except_id=entity_id)
        old, new = changed_fields(obj, values)
        if not new:
            raise ValidationFailed("nothing to change: the values are the same as before")
        await flush_unique(session, f"that {label}")
        record_change(session, principal, "update", label, entity_id, company_id, old=old, new=new,
                      location_id=getattr(obj, "location_id", None))
    return obj
