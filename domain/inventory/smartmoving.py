"""The inventory from SmartMoving: when the plan provides it (PREMIUM) and the journey comes from
an opportunity that has one, its lines are the crew's starting point at pickup.

It is fetched once per journey: when PICKUP starts (`install`: a subscriber to the phase event,
after commit, never inside the workflow's transaction) or when the crew opens an empty inventory.
A fetch that found SmartMoving's answer (lines, or "no inventory") leaves an audit entry on the
journey, which stops later fetches; a failed one leaves nothing, so the next opening tries again.
Lines are added only to an empty inventory, under the journey's row lock: what the crew entered
is never mixed with or replaced by an import. Each fetch is one API call (`api_calls` in its
audit entry); the call is not made within the workflow's lock, and it is retried for
`FETCH_RETRY_SECONDS` at most (a crew is waiting).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, IntegrationPlan, IntegrationSource, InventorySource, Phase
from db.models import AuditEntry, CompanyIntegration, InventoryItem, Journey
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.events import bus as events
from domain.errors import Forbidden
from domain.events.bus import DomainEvent, EventType
from domain.inventory.edit import MAX_LINES, MAX_QUANTITY, NAME_MAX_LENGTH, ROOM_MAX_LENGTH
from domain.journeys.access import load_journey
from domain.sync.connection import load_connection, open_client
from domain.sync.runs import SYSTEM_ACTOR
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow.access import crew_ids
from integrations.smartmoving import InventoryLine, NotFoundError, SmartMovingError

log = logging.getLogger(__name__)

IMPORTED = "inventory.imported"
FETCH_RETRY_SECONDS = 10.0
#: Imports started by the PICKUP event, kept referenced until they end.
_running: set[asyncio.Task[int]] = set()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


async def _premium_integration(session: AsyncSession, journey: Journey) -> int | None:
    """The id of the company's active PREMIUM SmartMoving integration, if the journey is one of its jobs."""
    if journey.data_source is not DataSource.SMARTMOVING or not journey.external_opportunity_id:
        return None
    found: int | None = await session.scalar(select(CompanyIntegration.id).where(
        CompanyIntegration.company_id == journey.company_id, CompanyIntegration.active.is_(True),
        CompanyIntegration.source == IntegrationSource.SMARTMOVING,
        CompanyIntegration.plan == IntegrationPlan.PREMIUM).limit(1))
    return found


async def _wanted(session: AsyncSession, journey: Journey) -> bool:
    """No line yet, and no fetch has found SmartMoving's answer before."""
    has_lines = await session.scalar(select(exists().where(InventoryItem.journey_id == journey.id)))
    fetched = await session.scalar(select(exists().where(
        AuditEntry.entity == "journey", AuditEntry.entity_id == str(journey.id), AuditEntry.action == IMPORTED)))
    return not has_lines and not fetched


async def _fetch(integration_id: int, opportunity_id: str) -> tuple[InventoryLine, ...] | None:
    """The opportunity's lines (none when it has no inventory); None when the fetch failed."""
    try:
        connection = await load_connection(integration_id)
        async with open_client(connection, retry_for=FETCH_RETRY_SECONDS,
                               unreachable_after=FETCH_RETRY_SECONDS) as client:
            return await client.opportunity_inventory_lines(opportunity_id)
    except NotFoundError:
        return ()
    except SmartMovingError as exc:
        log.warning("SmartMoving inventory of opportunity %s not fetched: %s", opportunity_id, exc)
        return None


@audited_write
async def import_inventory(principal: Principal | None, journey_id: int) -> int:
    """Fill an empty inventory from SmartMoving when the plan provides it; the number of lines
    added (0 when there is nothing to import or the fetch failed). With a principal, the journey
    must be one they may read; without one (the PICKUP event), it is the system's import."""
    async with read_session() as session:
        if principal is not None:
            journey, _location = await load_journey(session, principal, journey_id)
            if principal.user_id not in await crew_ids(session, journey.id) and not principal.can(
                    Permission.ASSIGN_CREW):
                raise Forbidden("only the crew or the dispatchers of this journey fill its inventory")
        else:
            journey = await session.get_one(Journey, journey_id)
        integration_id = await _premium_integration(session, journey)
        if integration_id is None or not await _wanted(session, journey):
            return 0
        opportunity_id = journey.external_opportunity_id or ""
    lines = await _fetch(integration_id, opportunity_id)
    if lines is None:
        return 0
    async with unit_of_work() as session:
        journey = await session.get_one(Journey, journey_id, with_for_update=True)
        if not await _wanted(session, journey):  # another phone's import, or the crew, came first
            return 0
        kept = lines[:MAX_LINES]
        session.add_all(InventoryItem(
            company_id=journey.company_id, journey_id=journey.id, source=InventorySource.SMARTMOVING,
            external_id=_clip(line.external_id, 64) if line.external_id else None, position=position,
            room=_clip(line.room, ROOM_MAX_LENGTH), name=_clip(line.name, NAME_MAX_LENGTH),
            quantity=min(line.quantity, MAX_QUANTITY)) for position, line in enumerate(kept, start=1))
        await session.flush()
        audit.record(session, principal, IMPORTED, "journey", journey.id, company_id=journey.company_id,
                     new={"opportunity_id": opportunity_id, "lines": len(kept), "left_out": len(lines) - len(kept),
                          "api_calls": 1},
                     actor_email=None if principal else SYSTEM_ACTOR)
        events.queue(session, DomainEvent(EventType.INVENTORY_CHANGED, journey.company_id, journey.location_id,
                                          journey.id, await crew_ids(session, journey.id),
                                          {"action": IMPORTED, "lines": len(kept)}))
        return len(kept)



def _on_event(event: DomainEvent) -> None:
    """PICKUP started here (not an echo from another instance): import in the background."""
    if event.type is not EventType.PHASE_STARTED or not event.is_local or event.journey_id is None:
        return
    if event.data.get("phase") != Phase.PICKUP.value:
        return
    task = asyncio.get_running_loop().create_task(import_inventory(None, event.journey_id))
    _running.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[int]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("inventory import failed: %s", task.exception())


async def wait_for_imports() -> None:
    """Until the imports started by PICKUP events in this process have ended (tests, shutdown)."""
    while _running:
        await asyncio.gather(*_running, return_exceptions=True)


def install() -> Callable[[], None]:
    """Import when PICKUP starts (installed once: a second call replaces the first); returns the
    function that stops it."""
    global _stop
    _stop()
    _stop = events.bus.subscribe(_on_event)
    return _stop


def _not_installed() -> None:
    return None


_stop: Callable[[], None] = _not_installed
