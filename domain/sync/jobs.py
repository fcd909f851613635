"""Collecting the journeys to write so that the window equals SmartMoving: from the customers
listing (regular runs) or from given opportunities (webhooks).

A run converges, it does not only apply what it noticed: one listing covers the whole company's
listed days (the window — today and the next `window_days - 1` days, company-local — or the
near days of a near run, `call_plan`), and

- a listed job whose listing entry changed (its hash is `Journey.external_hash`), or a near job
  on a FULL_JOBS run or in the run's refresh slice (details-only changes never show in the
  listing), or a new job that is
  booked — or cancelled or lost: dispatch must see the cancellation — has its opportunity's
  details fetched and mapped (date, times, status and every shown field);
- a journey of the window whose job the listing no longer shows has its opportunity fetched
  too: moved to another date (followed, inside or outside the window), un-booked, cancelled,
  or gone (404, or the job removed from it: cancelled "no longer in SmartMoving").

Isolation: one opportunity whose call finally fails (malformed, a 4xx other than 404, a 5xx,
a 429, a reset or a timeout after the client's time-bounded retries) has its jobs counted as
failed with the reason, and the run goes on. Only a failing listing, a rejected key or plan, or
SmartMoving unreachable (no successful call for the configured bound) end the run; when
SmartMoving becomes unreachable during the details, the run keeps what it fetched (the reason is
`info.halted`, the opportunities left are counted failed).

Nothing is written here: the result is a list of `PendingWrite`s that `store.write_journeys`
writes in one transaction — every journey whole or not at all.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from db.enums import DataSource
from db.models import Journey, utcnow
from domain.sync.call_plan import NEAR_DAYS
from domain.sync.drift import BookedJobs
from domain.sync.mapping import (
    BOOKED_STATUSES,
    CANCELLING_STATUSES,
    GONE_HASH,
    REASON_JOB_REMOVED,
    SYNC_COLUMNS,
    Catalogue,
    ListingEntry,
    MappingError,
    detail_hash,
    differs,
    gone_values,
    is_cancelled,
    journey_values,
    listing_hash,
)
from domain.sync.premium import premium_sections
from domain.sync.runs import RunInfo
from domain.timewindow import today_in
from domain.unit_of_work import read_session
from integrations.smartmoving import (
    JobTimes,
    MalformedRecord,
    NetworkError,
    NotFoundError,
    OpportunityDetail,
    RateLimitedError,
    RequestError,
    ServerError,
    SmartMovingClient,
    UnreachableError,
)

#: Opportunity details fetched at once (the client's rate limiter still paces them).
DETAIL_CONCURRENCY = 4
#: The failures of one opportunity's calls that are its own (the run goes on without it).
RECORD_FAILURES = (MalformedRecord, RequestError, ServerError, NetworkError, RateLimitedError)
NOT_FETCHED = "not fetched: SmartMoving became unreachable"
#: Days synced when the integration does not say: today and the next 13.
WINDOW_DAYS = 14
#: Opportunities whose new jobs in the window get a journey (cancelled ones show CANCELLED).
CREATED_FROM = BOOKED_STATUSES | CANCELLING_STATUSES


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
    #: job id → premium section (`domain.sync.premium`), fetched or carried over.
    premium: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Gone:
    """The opportunity answered 404: deleted in SmartMoving."""

    reason: str


def sync_window(company_timezone: str, days: int = WINDOW_DAYS) -> tuple[date, date]:
    today = today_in(company_timezone)
    return today, today + timedelta(days=max(days, 1) - 1)


async def collect_listed_jobs(info: RunInfo, client: SmartMovingClient, catalogue: Catalogue,
                              company_timezone: str, *, full: bool, window_days: int = WINDOW_DAYS,
                              ) -> list[PendingWrite]:
    """The journeys to write for the listed days (the whole window, or the near days of the
    run's scope; counters and progress kept on `info`). A full run, and the run's refresh slice,
    re-read the details of near jobs whose listing did not change."""
    first, last = sync_window(company_timezone, info.scope.days or window_days)
    near_last = first + timedelta(days=NEAR_DAYS - 1)
    info.stage = "listing"
    await info.progress(force=True)
    listing = await client.customers_by_service_date(first, last)
    counters = info.counters
    for error in listing.errors:
        counters.fail(f"listing:{_raw_id(error.raw)}", error.reason)
    # A customer may be listed twice (live paging repeats some): each job counts once.
    listed: dict[str, ListingEntry] = {}
    for customer in listing.items:
        for opportunity in customer.opportunities:
            for job in opportunity.jobs:
                listed.setdefault(job.id, ListingEntry(customer, opportunity, job))
    if info.scope.days is None:  # a window run reconciles the window (drift report)
        info.booked = BookedJobs(first, last, {
            job_id: entry.job.service_date for job_id, entry in listed.items()
            if entry.opportunity.status in BOOKED_STATUSES and first <= entry.job.service_date <= last})
    refreshed = refresh_slice(listed, first, near_last, info.scope.refresh, everything=full)
    stored_hashes = await load_existing(info.company_id, listed, columns=("external_hash",))
    to_fetch: dict[str, dict[str, str | None]] = defaultdict(dict)
    for job_id, entry in listed.items():
        stored = stored_hashes.get(job_id)
        in_window = first <= entry.job.service_date <= last
        if stored is None and not (in_window and entry.opportunity.status in CREATED_FROM):
            counters.ignored += 1  # leads and quotes; other days' jobs of a listed opportunity
            continue
        counters.total += 1
        entry_hash = listing_hash(entry)
        if job_id not in refreshed and stored is not None and stored["external_hash"] == entry_hash:
            counters.unchanged += 1
            counters.processed += 1
        else:
            to_fetch[entry.opportunity.id][job_id] = entry_hash
    # Journeys of the window the listing no longer shows: moved, un-booked or gone.
    missing = await unlisted_journeys(info.company_id, first, last, listed)
    for job_id, opportunity_id in missing.items():
        counters.total += 1
        to_fetch[opportunity_id][job_id] = None  # the hash comes from the details
    # The stored columns are read for the jobs being refetched only: an unchanged run reads hashes.
    existing = await load_existing(info.company_id, (job_id for jobs in to_fetch.values() for job_id in jobs
                                                     if job_id in stored_hashes or job_id in missing))
    info.stage = "details"
    await info.progress(force=True)
    pending: list[PendingWrite] = []

    async def refresh(opportunity_id: str, fetched: Fetched | Gone | None) -> None:
        wanted = to_fetch[opportunity_id]
        if isinstance(fetched, Gone):
            listed_here = [job_id for job_id in wanted if job_id not in missing]
            for job_id in listed_here:  # listed, yet 404: SmartMoving contradicts itself; retried next run
                counters.fail(f"job:{job_id}", fetched.reason)
            pending.extend(gone_writes(info, [j for j in wanted if j in missing], existing))
        elif fetched is not None:
            fetched = replace(fetched, premium=await premium_sections(info, fetched.detail, wanted, existing))
            pending.extend(map_opportunity(info, fetched, wanted, existing, catalogue))
        await info.progress()

    await fetch_details(info, client, list(to_fetch), refresh, failed_jobs=to_fetch)
    return pending


def refresh_slice(listed: dict[str, ListingEntry], first: date, near_last: date, refresh: tuple[int, int] | None,
                  *, everything: bool) -> set[str]:
    """The near jobs whose details are re-read even though their listing entry did not change:
    all of them (a full run), or the run's slice of them (the rolling refresh)."""
    near = sorted(job_id for job_id, entry in listed.items() if first <= entry.job.service_date <= near_last)
    if everything:
        return set(near)
    if refresh is None:
        return set()
    index, count = refresh
    return {job_id for position, job_id in enumerate(near) if position % count == index}


async def collect_opportunities(info: RunInfo, client: SmartMovingClient, catalogue: Catalogue,
                                company_timezone: str, opportunity_ids: Iterable[str], *,
                                window_days: int = WINDOW_DAYS) -> list[PendingWrite]:
    """The journeys to write for whole opportunities (webhooks): their jobs in the window when
    booked, cancelled or lost (as the listing sync does), and every job that already has a
    journey, whatever its date and status — so that a cancellation, a move, an un-booking or a
    deletion (404) reaches it."""
    ids = list(dict.fromkeys(opportunity_ids))
    fetched: dict[str, Fetched | Gone] = {}

    async def keep(opportunity_id: str, result: Fetched | Gone | None) -> None:
        if result is not None:
            fetched[opportunity_id] = result

    info.stage = "details"
    await fetch_details(info, client, ids, keep)
    first, last = sync_window(company_timezone, window_days)
    by_opportunity = await journeys_of_opportunities(info.company_id, ids)
    existing = await load_existing(info.company_id, [
        *(job_id for jobs in by_opportunity.values() for job_id in jobs),
        *(job.id for f in fetched.values() if isinstance(f, Fetched) for job in f.detail.jobs)])
    pending: list[PendingWrite] = []
    for opportunity_id, result in fetched.items():
        if isinstance(result, Gone):
            stored = [job_id for job_id in by_opportunity.get(opportunity_id, ())
                      if existing.get(job_id, {}).get("external_hash") != GONE_HASH]
            info.counters.total += len(stored)
            pending.extend(gone_writes(info, stored, existing))
            continue
        creatable = result.detail.status in CREATED_FROM
        wanted: dict[str, str | None] = {
            job.id: detail_hash(result.detail, job) for job in result.detail.jobs
            if job.id in existing or (creatable and first <= job.job_date <= last)}
        for job_id in by_opportunity.get(opportunity_id, ()):
            wanted.setdefault(job_id, None)  # a journey whose job left the opportunity
        info.counters.total += len(wanted)
        info.counters.ignored += sum(job.id not in wanted for job in result.detail.jobs)
        result = replace(result, premium=await premium_sections(info, result.detail, wanted, existing))
        pending.extend(map_opportunity(info, result, wanted, existing, catalogue))
    return pending


def gone_writes(info: RunInfo, wanted: Iterable[str], existing: dict[str, dict[str, Any]],
                reason: str | None = None) -> list[PendingWrite]:
    """Cancel the stored journeys of these jobs, which SmartMoving no longer has ("no longer in
    SmartMoving"); already cancelled so, they count as unchanged."""
    pending: list[PendingWrite] = []
    for job_id in wanted:
        stored = existing.get(job_id)
        info.counters.processed += 1
        if stored is None:
            info.counters.ignored += 1
            continue
        values = gone_values(stored) if reason is None else gone_values(stored, reason)
        if not differs(values, stored) and stored.get("external_hash") == GONE_HASH:
            info.counters.unchanged += 1
            continue
        info.counters.updated += 1
        pending.append(PendingWrite(job_id, values, stored))
    return pending


def map_opportunity(info: RunInfo, fetched: Fetched, wanted: dict[str, str | None],
                    existing: dict[str, dict[str, Any]], catalogue: Catalogue) -> list[PendingWrite]:
    """Journey values of the wanted jobs (job id → entry hash, None: the details' hash) of one
    opportunity; unchanged ones are counted and dropped, bad ones counted as failed. A stored
    job that left the opportunity is cancelled ("no longer in SmartMoving")."""
    counters = info.counters
    jobs = {job.id: job for job in fetched.detail.jobs}
    pending: list[PendingWrite] = []
    for job_id, entry_hash in wanted.items():
        ref = f"job:{job_id}"
        job = jobs.get(job_id)
        if job is None:
            if job_id in existing:
                pending.extend(gone_writes(info, [job_id], existing, REASON_JOB_REMOVED))
            else:
                counters.fail(ref, f"job no longer in opportunity {fetched.detail.id}")
            continue
        try:
            values = journey_values(fetched.detail, job, fetched.times.get(job_id), catalogue,
                                    entry_hash or detail_hash(fetched.detail, job), fetched.premium.get(job_id))
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


OnResult = Callable[[str, "Fetched | Gone | None"], Awaitable[None]]


async def fetch_details(info: RunInfo, client: SmartMovingClient, opportunity_ids: list[str], on_result: OnResult,
                        *, failed_jobs: dict[str, dict[str, Any]] | None = None) -> None:
    """Fetch each opportunity (and its job times unless it is cancelled), DETAIL_CONCURRENCY at a
    time, calling `on_result(id, Fetched | Gone | None)` as each one ends: Gone for a 404, None
    after a failure of that opportunity alone (RECORD_FAILURES), counted as a failure of its jobs
    (or of itself). SmartMoving unreachable stops the fetching: what was fetched is kept, the rest
    is counted failed and `info.halted` says why. Anything else (the key, the plan) ends the run."""
    gate = asyncio.Semaphore(DETAIL_CONCURRENCY)

    def fail(opportunity_id: str, reason: str) -> None:
        refs = [f"job:{j}" for j in (failed_jobs or {}).get(opportunity_id, {})] or [f"opp:{opportunity_id}"]
        for ref in refs:
            info.counters.fail(ref, reason)

    async def one(opportunity_id: str) -> None:
        async with gate:
            if info.halted:
                fail(opportunity_id, NOT_FETCHED)
                return
            asked_at = utcnow()
            try:
                detail = await client.opportunity(opportunity_id)
                times = {} if is_cancelled(detail.status) else {
                    t.job_id: t for t in (await client.opportunity_jobs(opportunity_id)).items}
            except NotFoundError as exc:
                result: Fetched | Gone | None = Gone(str(exc))
            except RECORD_FAILURES as exc:
                fail(opportunity_id, exc.reason if isinstance(exc, MalformedRecord) else str(exc))
                result = None
            except UnreachableError as exc:  # no sibling is cancelled: every call sent is answered and counted
                info.halted = info.halted or f"{type(exc).__name__}: {exc}"
                fail(opportunity_id, NOT_FETCHED)
                return
            else:
                result = Fetched(detail, times)
            if result is not None:
                info.fetched_at[opportunity_id] = asked_at
        await on_result(opportunity_id, result)

    try:
        async with asyncio.TaskGroup() as group:
            for opportunity_id in opportunity_ids:
                group.create_task(one(opportunity_id))
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None


async def unlisted_journeys(company_id: int, first: date, last: date, listed: Iterable[str]) -> dict[str, str]:
    """SmartMoving journeys of the window whose job the listing does not show (and that are not
    already known to be gone): job id → opportunity id."""
    shown = set(listed)
    async with read_session() as session:
        rows = await session.execute(
            select(Journey.external_id, Journey.external_opportunity_id)
            .where(Journey.company_id == company_id, Journey.data_source == DataSource.SMARTMOVING,
                   Journey.journey_date.between(first, last), Journey.external_id.is_not(None),
                   Journey.external_opportunity_id.is_not(None),
                   (Journey.external_hash.is_(None)) | (Journey.external_hash != GONE_HASH)))
        return {job_id: opportunity_id for job_id, opportunity_id in rows if job_id not in shown}


async def journeys_of_opportunities(company_id: int, opportunity_ids: Iterable[str]) -> dict[str, list[str]]:
    """The stored jobs of these opportunities: opportunity id → job ids."""
    ids = sorted(set(opportunity_ids))
    found: dict[str, list[str]] = defaultdict(list)
    if not ids:
        return found
    async with read_session() as session:
        for job_id, opportunity_id in await session.execute(
                select(Journey.external_id, Journey.external_opportunity_id)
                .where(Journey.company_id == company_id, Journey.external_opportunity_id.in_(ids),
                       Journey.external_id.is_not(None))):
            found[opportunity_id].append(job_id)
    return found


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
