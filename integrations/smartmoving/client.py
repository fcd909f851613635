"""Async client of the SmartMoving External API v1.

Every HTTP request that reaches SmartMoving (retries and 429s included) counts against the
monthly quota, so `calls` counts each one — and only those: a connection that could not even
be opened reached nobody. The API key travels in the `x-api-key` header only and is never logged.

Retries are bounded by time, not by a small count: a call is retried (honouring Retry-After on
429s, backing off on 5xx, resets, timeouts and bodies that are not complete JSON) until
`retry_for` seconds have passed since it started; then it raises its typed error. Once no call
has succeeded for `unreachable_after` seconds, a failing call raises `UnreachableError` at once
(no more retries): SmartMoving is down, not one record. `clock` and `sleep` are
injectable so tests ride out storms on a fake clock.

Writes (Premium: attach a file, set a job's notes) are retried on 429 only, the one answer that
says the write was not taken. SmartMoving has no idempotency keys, so after a 5xx, a timeout or a
dropped connection the write may have landed: the caller decides whether to send it again (the
write-back outbox, domain/writeback, checks SmartMoving first).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from integrations.smartmoving.errors import (
    AuthenticationError,
    MalformedRecord,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    RequestTimeoutError,
    ServerError,
    SmartMovingError,
    UnreachableError,
)
from integrations.smartmoving.normalise import (
    parse_branch,
    parse_customers,
    parse_job_times,
    parse_list,
    parse_many,
    parse_material,
    parse_move_size,
    parse_office_user,
    parse_opportunity_detail,
    parse_referral_source,
    parse_service_type,
    parse_tariff,
    unwrap_page,
)
from integrations.smartmoving.premium import (
    parse_documents,
    parse_inventory,
    parse_inventory_lines,
    parse_premium_job,
)
from integrations.smartmoving.rate_limit import SlidingWindowLimiter
from integrations.smartmoving.records import (
    Branch,
    CustomerListing,
    InventoryLine,
    InventorySummary,
    JobTimes,
    Listing,
    Material,
    MoveSize,
    OfficeUser,
    OpportunityDocument,
    OpportunityDetail,
    PremiumJob,
    ReferralSource,
    ServiceType,
    Tariff,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE_SIZE = 200  # the server's cap
DETAIL_FLAGS = {"IncludeJobAddresses": "true", "IncludeCharges": "true", "IncludePayments": "true"}
#: What the crew needs of a Premium job; its charges are never asked for.
PREMIUM_JOB_FLAGS = {"IncludeStops": "true", "IncludeEstimatedMaterials": "true"}
#: A call is retried this long (seconds) before its failure is final: a 2-minute storm is ridden out.
RETRY_FOR_SECONDS = 120.0
#: No successful call for this long (seconds) and SmartMoving counts as unreachable.
UNREACHABLE_AFTER_SECONDS = 300.0
_RETRYABLE: tuple[type[SmartMovingError], ...] = (RateLimitedError, ServerError, NetworkError, MalformedRecord)
#: A write is retried only when SmartMoving said it did not take it.
_WRITE_RETRYABLE: tuple[type[SmartMovingError], ...] = (RateLimitedError,)
#: SmartMoving's attachment file categories (FileCategory): after the move.
POST_MOVE_CATEGORY = 4


class SmartMovingClient:
    """Use as `async with SmartMovingClient(url, key) as sm: ...` (or call `aclose()`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate_per_minute: int = 120,
        max_retries: int | None = None,
        retry_for: float = RETRY_FOR_SECONDS,
        unreachable_after: float = UNREACHABLE_AFTER_SECONDS,
        timeout: float = 20.0,
        backoff_base: float = 0.5,
        max_backoff: float = 15.0,
        rate_window: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """`max_backoff` caps every wait, Retry-After included; `max_retries` (none by default)
        caps the attempts on top of `retry_for`; `rate_window` exists for tests."""
        self.max_retries = max_retries
        self.retry_for = retry_for
        self.unreachable_after = unreachable_after
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.calls = 0
        self.clock = clock
        self.sleep = sleep
        self._last_success = clock()
        self._limiter = SlidingWindowLimiter(rate_per_minute, rate_window, clock=clock, sleep=sleep)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"x-api-key": api_key, "accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"SmartMovingClient({str(self._http.base_url)!r}, calls={self.calls})"

    async def __aenter__(self) -> SmartMovingClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- endpoints -------------------------------------------------------------------------

    async def ping(self) -> None:
        """Raise unless the API answers and accepts the key (the body is not read)."""
        await self._request("/api/ping")

    async def branches(self) -> Listing[Branch]:
        return await self._list("/api/branches", parse_branch)

    async def service_types(self) -> Listing[ServiceType]:
        return await self._list("/api/service-types", parse_service_type)

    async def move_sizes(self) -> Listing[MoveSize]:
        return await self._list("/api/move-sizes", parse_move_size)

    async def users(self) -> Listing[OfficeUser]:
        return await self._list("/api/users", parse_office_user)

    async def tariffs(self) -> Listing[Tariff]:
        return await self._list("/api/tariffs", parse_tariff)

    async def tariff_materials(self, tariff_id: str) -> Listing[Material]:
        """Premium tier."""
        return await self._list(f"/api/premium/tariffs/{_segment(tariff_id)}/materials",
                                parse_material)

    async def referral_sources(self) -> Listing[ReferralSource]:
        return await self._list("/api/referral-sources", parse_referral_source)

    async def customers_by_service_date(
        self, from_date: dt.date, to_date: dt.date
    ) -> Listing[CustomerListing]:
        """The whole company's customers with jobs in the range (no branch filter exists)."""
        params = {
            "FromServiceDate": from_date.strftime("%Y%m%d"),
            "ToServiceDate": to_date.strftime("%Y%m%d"),
            "IncludeOpportunityInfo": "true",
        }
        return parse_customers(await self._pages("/api/customers", params))

    async def opportunity(self, opportunity_id: str) -> OpportunityDetail:
        """Raises NotFoundError if it does not exist, MalformedRecord if it cannot be parsed."""
        payload = await self._get(f"/api/opportunities/{_segment(opportunity_id)}", DETAIL_FLAGS)
        return parse_opportunity_detail(payload)

    async def opportunity_jobs(self, opportunity_id: str) -> Listing[JobTimes]:
        """Job times; the spec answers a bare array, an envelope is accepted too."""
        return parse_list(await self._get(f"/api/opportunities/{_segment(opportunity_id)}/jobs"),
                          parse_job_times)

    async def premium_job(self, opportunity_id: str, job_id: str) -> PremiumJob:
        """Premium tier: one job's arrival window, stops with access notes and materials."""
        path = f"/api/premium/opportunities/{_segment(opportunity_id)}/jobs/{_segment(job_id)}"
        return parse_premium_job(await self._get(path, PREMIUM_JOB_FLAGS))

    async def opportunity_inventory(self, opportunity_id: str) -> InventorySummary:
        """Premium tier: the opportunity's inventory, counted (NotFoundError when it has none)."""
        return parse_inventory(await self._get(f"/api/premium/opportunities/{_segment(opportunity_id)}/inventory"))

    async def opportunity_documents(self, opportunity_id: str) -> tuple[OpportunityDocument, ...]:
        """Premium tier: the opportunity's and its jobs' documents (attachments among them)."""
        return parse_documents(await self._get(f"/api/premium/opportunities/{_segment(opportunity_id)}/documents"))

    async def attach_file(self, opportunity_id: str, file_name: str, content: bytes, *,
                          notes: str | None = None, category: int = POST_MOVE_CATEGORY) -> None:
        """Premium tier: attach a file (PDF, ...) to the opportunity. Not idempotent."""
        body = {"base64Contents": base64.b64encode(content).decode("ascii"), "fileName": file_name,
                "category": category, "notes": notes}
        await self._request(f"/api/premium/opportunities/{_segment(opportunity_id)}/attachments",
                            method="POST", body=body)

    async def update_job_notes(self, opportunity_id: str, job_id: str, **notes: str) -> None:
        """Premium tier: set note fields of a job (`internalNotes=...`, `crewNotes=...`); the
        fields given replace what the job had, so sending the same again changes nothing."""
        path = f"/api/premium/opportunities/{_segment(opportunity_id)}/jobs/{_segment(job_id)}/notes"
        await self._request(path, method="PATCH", body=notes)

    async def opportunity_inventory_lines(self, opportunity_id: str) -> tuple[InventoryLine, ...]:
        """Premium tier: the opportunity's inventory, line by line (NotFoundError when it has none)."""
        return parse_inventory_lines(
            await self._get(f"/api/premium/opportunities/{_segment(opportunity_id)}/inventory"))

    # --- plumbing --------------------------------------------------------------------------

    async def _list(self, path: str, parser: Callable[[Any], T]) -> Listing[T]:
        return parse_many(await self._pages(path), parser)

    async def _pages(self, path: str, params: dict[str, str] | None = None) -> list[Any]:
        """Raw items of every page. An envelope says when to stop; for a bare array (the
        spec's shape) a short page ends it, and so does a page repeating the previous one
        (a server ignoring `Page`)."""
        raws: list[Any] = []
        previous: tuple[Any, ...] | None = None
        page_number = 1
        while True:
            query = {**(params or {}), "Page": str(page_number), "PageSize": str(PAGE_SIZE)}
            page = unwrap_page(await self._get(path, query))
            if page.items == previous:
                break
            raws.extend(page.items)
            last = len(page.items) < PAGE_SIZE if page.last_page is None else page.last_page
            if last or not page.items:
                break
            previous = page.items
            page_number += 1
        return raws

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """The decoded JSON of a GET (None for an empty body)."""
        return (await self._request(path, params, decode=True))[1]

    async def _request(self, path: str, params: dict[str, str] | None = None, *, decode: bool = False,
                       method: str = "GET", body: dict[str, Any] | None = None) -> tuple[httpx.Response, Any]:
        """A call with rate limiting and retries (and its decoded JSON when `decode`); raises the
        typed error of the last failure once `retry_for` has passed. A write (`body`) is retried
        on 429 only."""
        started = self.clock()
        attempt = 0
        retryable = _RETRYABLE if body is None else _WRITE_RETRYABLE
        while True:
            attempt += 1
            what = f"{method} {path} (attempt {attempt})"
            try:
                return await self._attempt(what, path, params, decode, method, body)
            except retryable as failure:
                delay = self._delay(attempt, failure.retry_after if isinstance(failure, RateLimitedError) else None)
                unreachable = self._unreachable(failure)
                if unreachable is not None:  # past the bound: no more retries, for this call or any other
                    raise unreachable from failure
                if self._final(attempt, started, delay):
                    raise failure
                log.warning("SmartMoving %s; retrying in %.2fs", failure, delay)
                await self.sleep(delay)

    async def _attempt(self, what: str, path: str, params: dict[str, str] | None, decode: bool,
                       method: str = "GET", body: dict[str, Any] | None = None) -> tuple[httpx.Response, Any]:
        """One request: its answer, or the typed error (a connection never opened is not counted)."""
        await self._limiter.acquire()
        try:
            response = await self._http.request(method, path, params=params, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NetworkError(f"{what}: could not connect: {type(exc).__name__}") from exc
        except httpx.TimeoutException as exc:
            self.calls += 1
            raise RequestTimeoutError(f"{what}: timed out") from exc
        except httpx.TransportError as exc:
            self.calls += 1
            raise NetworkError(f"{what}: connection failed: {type(exc).__name__}") from exc
        except asyncio.CancelledError:
            self.calls += 1  # it may have reached SmartMoving: count it, as the quota may
            raise
        self.calls += 1
        if not response.is_success:
            raise _error_for(what, response)
        payload = _decode(what, response) if decode else None
        self._last_success = self.clock()
        return response, payload

    def _final(self, attempt: int, started: float, delay: float) -> bool:
        """Whether a failed call stops here: out of time (or out of the optional attempt cap)."""
        if self.max_retries is not None and attempt > self.max_retries:
            return True
        return self.clock() + delay - started > self.retry_for

    def _unreachable(self, failure: SmartMovingError) -> UnreachableError | None:
        silent = self.clock() - self._last_success
        if silent < self.unreachable_after:
            return None
        return UnreachableError(f"SmartMoving unreachable: no successful call for {silent:.0f} s; "
                                f"last error: {failure}")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when given, else exponential backoff with equal jitter; both capped."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        ceiling = min(self.backoff_base * 2.0 ** min(attempt - 1, 32), self.max_backoff)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _segment(value: str) -> str:
    """An id as one path segment, whatever it contains."""
    return quote(value, safe="")


def _decode(what: str, response: httpx.Response) -> Any:
    """The JSON of a successful answer (None when empty); a body that is not complete JSON (a
    truncated one) raises MalformedRecord, which is retried like a 5xx."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise MalformedRecord(f"{what}: the response is not JSON", response.text[:500]) from None


def _error_for(what: str, response: httpx.Response) -> SmartMovingError:
    """The typed error of a non-2xx answer, with the server's `message` when it gave one."""
    status = response.status_code
    try:
        body = response.json()
        detail = body.get("message") if isinstance(body, dict) else None
    except ValueError:
        detail = None
    text = f"{what}: HTTP {status}" + (f": {detail}" if detail else "")
    if status in (401, 403):
        return AuthenticationError(text)
    if status == 404 or (status == 400 and "not found" in str(detail).lower()):
        return NotFoundError(text)
    if status == 429:
        return RateLimitedError(text, _retry_after(response))
    if status >= 500:
        return ServerError(text, status)
    return RequestError(text, status)


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds; the HTTP-date form is ignored (backoff applies instead)."""
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None
