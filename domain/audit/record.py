"""Writing the audit trail: called inside the same transaction as the write it records."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry
from domain.runtime.context import request_ip
from domain.access.rbac import Principal

WriteFunction = TypeVar("WriteFunction", bound=Callable[..., Awaitable[Any]])

_AUDITED_WRITES: dict[str, Callable[..., Awaitable[Any]]] = {}


def audited_write(func: WriteFunction) -> WriteFunction:
    """Declare `func` a domain write: a public coroutine that adds, changes or deletes rows and
    records at least one `AuditEntry` (with `record` below) in the same transaction.

    Apply it to every such function of every `domain` module::

        @audited_write
        async def assign_crew(principal: Principal, journey_id: int, user_id: int) -> dict:
            async with unit_of_work() as session:
                ...  # the change
                audit.record(session, principal, "assign_crew", "journey", journey_id, old=..., new=...)
                events.queue(session, DomainEvent(...))

    It changes nothing at run time (the function itself is returned, still a coroutine
    function); it puts the function in `audited_writes()`, which
    `tests/unit/test_audit_coverage.py` uses twice:

    1. every registered function is called with valid input (the test keeps one recipe per
       function, keyed by `module.qualname`) and must leave at least one new AuditEntry;
    2. every public coroutine function of a `domain` module must be either registered here or
       listed as a read in that test's allowlist — a write nobody declared fails the suite.

    So a new write function needs three things: this decorator, an `audit.record` call on every
    successful path, and a recipe in the test. Writes without a principal (scheduled syncs,
    webhook deliveries) record with `principal=None` and a system `actor_email`. A write that
    starts a sync run in the background (`trigger_sync`) is audited by that run's closing entry
    (one per run); its recipe waits for the run.
    """
    is_coroutine_function = inspect.iscoroutinefunction(func)  # (not narrowing func: returned as it came)
    if not is_coroutine_function:
        raise TypeError(f"audited_write applies to coroutine functions, not {func!r}")
    _AUDITED_WRITES[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def audited_writes() -> dict[str, Callable[..., Awaitable[Any]]]:
    """The registered write functions by `module.qualname` (those of the modules imported so far)."""
    return dict(_AUDITED_WRITES)


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


def snapshot(obj: object, fields: Sequence[str]) -> dict[str, Any]:
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
