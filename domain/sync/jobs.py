"""Collecting the jobs to write: today's and tomorrow's (company-local) from the customers
listing, or the jobs of given opportunities (webhooks).

One listing covers the whole company. Details are fetched only for jobs that are new or whose
listing entry changed (its hash is stored in `Journey.external_hash`), or for every job on a
FULL_JOBS run (detail-only changes, e.g. addresses or charges, never show in the listing).
Nothing is written here: the result is a list of `PendingWrite`s that `store.write_journeys`
writes in one transaction, so a run that fails while fetching leaves no trace but its SyncRun.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from db.models import Journey
from domain.sync.mapping import (
    BOOKED_STATUSES,
    SYNC_COLUMNS,
    Catalogue,
    ListingEntry,
    MappingError,
    detail_hash,
    differs,
    is_cancelled,
    journey_values,
    listing_hash,
)
from domain.sync.runs import RunInfo
from domain.timewindow import today_in
from domain.unit_of_work import read_session
from integrations.smartmoving import (
    JobTimes,
    MalformedRecord,
    NotFoundError,
    OpportunityDetail,
    SmartMovingClient,
)

#: Opportunity details fetched at once (the client's rate limiter still paces them).
DETAIL_CONCURRENCY = 4
#: Days synced: today and tomorrow in the company's timezone.
WINDOW_DAYS = 2


@dataclass(frozen=True, slots=True)
class PendingWrite:
    external_id: str
    values: dict[str, Any]
    #: The stored journey's columns (id, status and SYNC_COLUMNS), None for a new journey.
    existing: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Fetched:
    detail: OpportunityDetail
    times: dict[str, JobTimes]


def sync_window(company_timezone: str) -> tuple[date, date]:
    today = today_in(company_timezone)
    return today, today + timedelta(days=WINDOW_DAYS - 1)


async def collect_listed_jobs(info: RunInfo, client: SmartMovingClient, catalogue: Catalogue,
                              company_timezone: str, *, full: bool) -> list[PendingWrite]:
    """The journeys to write for the window's jobs (counters and progress kept on `info`)."""
    first, last = sync_window(company_timezone)
    info.stage = "listing"
    await info.progress(force=True)
    listing = await client.customers_by_service_date(first, last)
    counters = info.counters
    for error in listing.errors:
        counters.fail(f"listing:{_raw_id(error.raw)}", error.reason)
    entries = [ListingEntry(customer, opportunity, job)
               for customer in listing.items for opportunity in customer.opportunities for job in opportunity.jobs
               if first <= job.service_date <= last]
    stored_hashes = await load_existing(info.company_id, (e.job.id for e in entries), columns=("external_hash",))
    to_fetch: dict[str, dict[str, str]] = defaultdict(dict)
    for entry in entries:
        stored = stored_hashes.get(entry.job.id)
        if stored is None and entry.opportunity.status not in BOOKED_STATUSES:
            counters.ignored += 1
            continue
        counters.total += 1
        entry_hash = listing_hash(entry)
        if not full and stored is not None and stored["external_hash"] == entry_hash:
            counters.unchanged += 1
            counters.processed += 1
        else:
            to_fetch[entry.opportunity.id][entry.job.id] = entry_hash
    # The stored columns are read for the jobs being refetched only: an unchanged run reads hashes.
    existing = await load_existing(info.company_id, (job_id for jobs in to_fetch.values() for job_id in jobs
                                                     if job_id in stored_hashes))
    info.stage = "details"
    await info.progress(force=True)
    pending: list[PendingWrite] = []

    async def refresh(opportunity_id: str, fetched: Fetched | None) -> None:
        wanted = to_fetch[opportunity_id]
        if fetched is not None:
            pending.extend(map_opportunity(info, fetched, wanted, existing, catalogue))
        await info.progress()

    await fetch_details(info, client, list(to_fetch), refresh, failed_jobs=to_fetch)
    return pending


async def collect_opportunities(info: RunInfo, client: SmartMovingClient, catalogue: Catalogue,
                                company_timezone: str, opportunity_ids: Iterable[str]) -> list[PendingWrite]:
    """The journeys to write for whole opportunities: the jobs in the window of booked ones (as the
    listing sync does: leads and lost opportunities get no journey), and any job that already has
    a journey (whatever its date and status, so that a cancellation reaches it)."""
    fetched: dict[str, Fetched] = {}

    async def keep(opportunity_id: str, result: Fetched | None) -> None:
        if result is not None:
            fetched[opportunity_id] = result

    info.stage = "details"
    await fetch_details(info, client, list(dict.fromkeys(opportunity_ids)), keep)
    first, last = sync_window(company_timezone)
    existing = await load_existing(info.company_id, (job.id for f in fetched.values() for job in f.detail.jobs))
    pending: list[PendingWrite] = []
    for result in fetched.values():
        booked = result.detail.status in BOOKED_STATUSES
        wanted = {job.id: detail_hash(result.detail, job) for job in result.detail.jobs
                  if job.id in existing or (booked and first <= job.job_date <= last)}
        info.counters.total += len(wanted)
        info.counters.ignored += len(result.detail.jobs) - len(wanted)
        pending.extend(map_opportunity(info, result, wanted, existing, catalogue))
    return pending


def map_opportunity(info: RunInfo, fetched: Fetched, wanted: dict[str, str], existing: dict[str, dict[str, Any]],
                    catalogue: Catalogue) -> list[PendingWrite]:
    """Journey values of the wanted jobs (job id → entry hash) of one opportunity; unchanged
    ones are counted and dropped, bad ones counted as failed."""
    counters = info.counters
    jobs = {job.id: job for job in fetched.detail.jobs}
    pending: list[PendingWrite] = []
    for job_id, entry_hash in wanted.items():
        ref = f"job:{job_id}"
        job = jobs.get(job_id)
        if job is None:
            counters.fail(ref, f"job no longer in opportunity {fetched.detail.id}")
            continue
        try:
            values = journey_values(fetched.detail, job, fetched.times.get(job_id), catalogue, entry_hash)
        except MappingError as exc:
            counters.fail(ref, exc.reason)
            continue
        stored = existing.get(job_id)
        counters.processed += 1
        if stored is not None and not differs(values, stored):
            counters.unchanged += 1
            continue
        if stored is None:
            counters.created += 1
        else:
            counters.updated += 1
        pending.append(PendingWrite(job_id, values, stored))
    return pending


OnResult = Callable[[str, "Fetched | None"], Awaitable[None]]


async def fetch_details(info: RunInfo, client: SmartMovingClient, opportunity_ids: list[str], on_result: OnResult,
                        *, failed_jobs: dict[str, dict[str, str]] | None = None) -> None:
    """Fetch each opportunity (and its job times unless it is cancelled), DETAIL_CONCURRENCY at a
    time, calling `on_result(id, Fetched | None)` as each one ends. A missing or malformed
    opportunity is a failure of its jobs (or of itself); any other client error ends the run."""
    gate = asyncio.Semaphore(DETAIL_CONCURRENCY)

    async def one(opportunity_id: str) -> None:
        async with gate:
            try:
                detail = await client.opportunity(opportunity_id)
                times = {} if is_cancelled(detail.status) else {
                    t.job_id: t for t in (await client.opportunity_jobs(opportunity_id)).items}
            except (MalformedRecord, NotFoundError) as exc:
                reason = exc.reason if isinstance(exc, MalformedRecord) else str(exc)
                refs = [f"job:{j}" for j in (failed_jobs or {}).get(opportunity_id, {})] or [f"opp:{opportunity_id}"]
                for ref in refs:
                    info.counters.fail(ref, reason)
                await on_result(opportunity_id, None)
                return
        await on_result(opportunity_id, Fetched(detail, times))

    try:
        async with asyncio.TaskGroup() as group:
            for opportunity_id in opportunity_ids:
                group.create_task(one(opportunity_id))
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None


async def load_existing(company_id: int, job_ids: Iterable[str],
                        columns: Iterable[str] = SYNC_COLUMNS) -> dict[str, dict[str, Any]]:
    """The stored journeys of these jobs (by the unique company + external id): external id → id,
    status and `columns` (all the sync-owned ones unless told)."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    selected = [Journey.id, Journey.status, Journey.external_id, *(getattr(Journey, c) for c in columns)]
    async with read_session() as session:
        rows = await session.execute(
            select(*selected).where(Journey.company_id == company_id, Journey.external_id.in_(ids)))
        return {row.external_id: row._asdict() for row in rows}


def _raw_id(raw: Any) -> str:
    return str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
