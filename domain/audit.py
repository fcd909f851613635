"""Writing the audit trail: called inside the same transaction as the write it records."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry
from domain.context import request_ip
from domain.rbac import Principal


def jsonable(value: Any) -> Any:
    """Make a value storable in a JSON column (dates, decimals, enums, nested containers)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: object, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a model instance, JSON-ready (for old/new values)."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    company_id: int | None = None,
    actor_email: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session's transaction (it commits or rolls back with the write)."""
    entry = AuditEntry(
        company_id=company_id if company_id is not None else (principal.company_id if principal else None),
        user_id=principal.user_id if principal else None,
        actor_email=actor_email or (principal.email if principal else None),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        old_values=jsonable(old) if old is not None else None,
        new_values=jsonable(new) if new is not None else None,
        ip=request_ip.get(),
    )
    session.add(entry)
    return entry
