"""SmartMoving webhooks: authenticate, de-duplicate, answer fast, refresh in the background.

SmartMoving signs nothing: the company sets a custom header with a shared secret in its
SmartMoving settings, compared here in constant time. Deliveries repeat and come in bursts:
a delivery is a duplicate when the same raw body (sha256 = `WebhookEvent.dedupe_key`) was
received within DEDUPE_WINDOW and is still waiting to be processed — the unique
(integration_id, dedupe_key) row is re-armed (not duplicated) when an identical body arrives
after the window or after its refresh ran, because "opportunity-changed" bodies are identical
for every edit and a later edit must not be lost.

One worker task per process consumes an asyncio.Queue: it waits DEBOUNCE for the rest of a
burst, coalesces repeats of the same opportunity, and refreshes them in one WEBHOOK SyncRun per
integration (opportunity details → upsert of its jobs). Every stored delivery (a new one or a
re-armed one; never a duplicate) gets an audit entry by the system actor WEBHOOK_ACTOR in the
same transaction, with the sender's IP; the run that processes deliveries has its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from db.enums import SyncRunStatus, WebhookStatus
from db.models import CompanyIntegration, SyncRun, WebhookEvent, utcnow
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import DomainError, NotAuthenticated, ValidationFailed
from domain.sync.secrets import SecretUnreadable, decrypt_secret
from domain.sync.service import refresh_opportunities
from domain.sync.store import dialect_insert
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving import MalformedRecord, parse_webhook_event

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 64 * 1024
DEDUPE_WINDOW = timedelta(seconds=60)
#: How long the worker waits for the rest of a burst before refreshing.
DEBOUNCE_SECONDS = 1.0
#: How long a refresh waits for a running sync of the same integration to finish.
GUARD_WAIT_SECONDS = 600.0
WEBHOOK_ACTOR = "system:smartmoving-webhook"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: int | None
    duplicate: bool
    queued: bool


@audited_write
async def receive_webhook(company_id: int, headers: Mapping[str, str], body: bytes) -> Receipt:
    """Check the secret header, store the delivery unless it is a duplicate, queue its refresh."""
    if len(body) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"webhook bodies are limited to {MAX_WEBHOOK_BYTES // 1024} KB")
    async with read_session() as session:
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
    _authenticate(integration, headers)
    assert integration is not None
    event = _parse(body)
    now = utcnow()
    stored = {"event_type": event.event_type[:60], "opportunity_id": (event.opportunity_id or "")[:100] or None}
    async with unit_of_work() as session:
        stmt = dialect_insert(session, WebhookEvent.__table__).values(
            integration_id=integration.id, dedupe_key=hashlib.sha256(body).hexdigest(), **stored,
            payload=event.raw, status=WebhookStatus.QUEUED if event.opportunity_id else WebhookStatus.PROCESSED,
            received_at=now, processed_at=None if event.opportunity_id else now)
        table = WebhookEvent.__table__.c
        stmt = stmt.on_conflict_do_update(
            index_elements=["integration_id", "dedupe_key"],
            set_={"received_at": stmt.excluded.received_at, "status": stmt.excluded.status,
                  "processed_at": stmt.excluded.processed_at, "payload": stmt.excluded.payload},
            where=(table.received_at < now - DEDUPE_WINDOW) | (table.status != WebhookStatus.QUEUED.value),
        ).returning(table.id)
        event_id = await session.scalar(stmt)
        if event_id is not None:
            audit.record(session, None, "receive", "webhook_event", event_id, company_id=integration.company_id,
                         actor_email=WEBHOOK_ACTOR, new=stored)
    if event_id is None:
        return Receipt(None, duplicate=True, queued=False)
    if event.opportunity_id:
        worker.put(integration.id, event.opportunity_id, event_id)
    return Receipt(event_id, duplicate=False, queued=bool(event.opportunity_id))


def _authenticate(integration: CompanyIntegration | None, headers: Mapping[str, str]) -> None:
    refused = NotAuthenticated("unknown company or wrong webhook secret")
    if integration is None or not integration.active or not integration.webhook_secret_encrypted:
        raise refused
    try:
        expected = decrypt_secret(integration.webhook_secret_encrypted)
    except SecretUnreadable:
        raise refused from None
    given = headers.get(integration.webhook_header) or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise refused


def _parse(body: bytes) -> Any:
    try:
        raw = json.loads(body)
        return parse_webhook_event(raw)
    except (ValueError, MalformedRecord) as exc:
        raise ValidationFailed(f"not a SmartMoving webhook payload: {exc}") from None


class WebhookWorker:
    """The per-process consumer of queued refreshes (started on first use in the running loop)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[int, str, int]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def put(self, integration_id: int, opportunity_id: str, event_id: int) -> None:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._task is None or self._task.done() or self._loop is not loop:
            self._queue, self._loop = asyncio.Queue(), loop
            self._task = loop.create_task(self._run(self._queue))
        self._queue.put_nowait((integration_id, opportunity_id, event_id))

    async def join(self) -> None:
        """Wait until everything queued so far is refreshed (tests, shutdown)."""
        if self._queue is not None and self._loop is asyncio.get_running_loop():
            await self._queue.join()

    async def stop(self) -> None:
        if self._task is not None and self._loop is asyncio.get_running_loop():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._queue = self._task = self._loop = None

    async def _run(self, queue: asyncio.Queue[tuple[int, str, int]]) -> None:
        while True:
            batch = [await queue.get()]
            await asyncio.sleep(DEBOUNCE_SECONDS)
            while not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._refresh(batch)
            except Exception:  # keep consuming; the run (if any) recorded what went wrong
                log.exception("webhook refresh failed")
            finally:
                for _ in batch:
                    queue.task_done()

    async def _refresh(self, batch: list[tuple[int, str, int]]) -> None:
        by_integration: dict[int, tuple[dict[str, None], list[int]]] = defaultdict(lambda: ({}, []))
        for integration_id, opportunity_id, event_id in batch:
            opportunities, event_ids = by_integration[integration_id]
            opportunities[opportunity_id] = None  # ordered set: repeats coalesce
            event_ids.append(event_id)
        for integration_id, (opportunities, event_ids) in by_integration.items():
            run_id = await refresh_opportunities(integration_id, list(opportunities),
                                                 wait_seconds=GUARD_WAIT_SECONDS)
            async with unit_of_work() as session:
                status = await session.scalar(select(SyncRun.status).where(SyncRun.id == run_id))
                done = WebhookStatus.PROCESSED if status is SyncRunStatus.SUCCEEDED else WebhookStatus.FAILED
                await session.execute(update(WebhookEvent).where(WebhookEvent.id.in_(event_ids))
                                      .values(status=done, processed_at=utcnow()))


worker = WebhookWorker()
