"""A local simulator of the SmartMoving External API v1, for development and tests.

Run it: `python -m integrations.smartmoving.simulator.server --port 8765 [--seed N] [--api-key K]`,
then point the client at `http://127.0.0.1:8765` (every path starts with `/api/`).
`--jobs-on 2026-05-04=2000` (repeatable) serves that many jobs on that day and none on others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from integrations.smartmoving.normalise import parse_date
from integrations.smartmoving.records import JobType, OpportunityStatus
from integrations.smartmoving.simulator.data import (
    MIN_JOBS_PER_DAY,
    SimOpportunity,
    build_catalogue,
    day_of_opportunity_id,
    generate_day,
    load_branch_rows,
    make_opportunity,
)
from integrations.smartmoving.simulator import site
from integrations.smartmoving.simulator.faults import FaultInjector
from integrations.smartmoving.simulator.script import SCRIPT_PREFIX, script_router
from integrations.smartmoving.simulator.views import (
    branch_json,
    customer_json,
    jobs_json,
    opportunity_json,
    premium_job_json,
)
from integrations.smartmoving.simulator.webhooks import WebhookEmitter
from integrations.smartmoving.simulator.writes import WriteLog, writes_router, writes_script_router

__all__ = ["CallRecord", "SimulatorState", "WebhookEmitter", "create_simulator_app", "main"]

DEFAULT_API_KEY = "simulator-key"
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 100
PREMIUM_PREFIX = "/api/premium/"
FIRST_ADDED_INDEX = 5_000  # opportunities added by tests get n >= this, clear of generated ones


@dataclass(slots=True)
class CallRecord:
    """One request as the simulator saw it; `status` and `answered_at` are set once it is answered."""

    at: float  # time.monotonic() on arrival
    method: str
    path: str
    status: int | None = None
    answered_at: float | None = None


class SimulatorState(FaultInjector):
    """Data, fault switches and call log of one simulated SmartMoving company.

    Thread-safe enough for tests that mutate it while the server runs in another thread.
    """

    def __init__(self, seed: int = 1, api_key: str = DEFAULT_API_KEY, *,
                 customers_as_bare_array: bool = False,
                 jobs_on: Mapping[dt.date, int] | None = None,
                 state_names_in_full: bool = False, awkward: bool = False, premium: bool = True) -> None:
        """`customers_as_bare_array` answers `/api/customers` in the spec's shape (still paged).
        `jobs_on` (for benchmarks) gives those days that many jobs and every other day none;
        without it every day has 150-250. `state_names_in_full` writes the branches' states
        out ("Texas"). `awkward` gives generated days the live API's awkward shapes: every 4th
        opportunity answers `estimatedCharges: []`, every 9th has no estimate at all
        (`estimatedTotal: null`, no charges), and every 10th shares its customer with the one
        before it (one customer, several opportunities)."""
        super().__init__(fault_seed=seed)
        self.seed = seed
        self.api_key = api_key
        self.customers_as_bare_array = customers_as_bare_array
        self.state_names_in_full = state_names_in_full
        self.awkward = awkward
        self.premium = premium
        #: Opportunities deleted in SmartMoving: details answer 404, listings leave them out.
        self.deleted_ids: set[str] = set()
        #: Customers listed twice: again at the end of the listing (a later page), as live
        #: paging does when the order shifts between page requests.
        self.repeated_customer_ids: set[str] = set()
        #: Opportunities whose details (and job times) answer this HTTP status, every time.
        self.failing_opportunity_ids: dict[str, int] = {}
        #: Premium writes received (attachments, job notes) and their scripted delay.
        self.writes = WriteLog()
        for day, count in (jobs_on or {}).items():
            if not MIN_JOBS_PER_DAY <= count <= FIRST_ADDED_INDEX:
                raise ValueError(f"{day}: {count} jobs; a day holds {MIN_JOBS_PER_DAY} to {FIRST_ADDED_INDEX}")
        self.jobs_on = None if jobs_on is None else dict(jobs_on)
        self.catalogue = build_catalogue(seed, load_branch_rows())
        self.calls: Counter[str] = Counter()
        self.call_log: list[CallRecord] = []
        self._days: dict[dt.date, list[SimOpportunity]] = {}
        self._by_id: dict[str, SimOpportunity] = {}
        self._added = 0
        self._lock = threading.RLock()

    def log_call(self, method: str, path: str) -> CallRecord:
        record = CallRecord(time.monotonic(), method, path)
        self.calls[path] += 1
        self.call_log.append(record)
        return record

    # --- reading -------------------------------------------------------------------------

    def opportunities_on(self, day: dt.date) -> list[SimOpportunity]:
        with self._lock:
            return list(self._day(day))

    def opportunities_between(self, first: dt.date, last: dt.date) -> list[SimOpportunity]:
        return [opp for day in _days(first, last) for opp in self.opportunities_on(day)]

    def known_opportunities(self) -> list[SimOpportunity]:
        """Every opportunity of the days generated so far."""
        with self._lock:
            return list(self._by_id.values())

    def opportunity(self, opportunity_id: str) -> SimOpportunity | None:
        with self._lock:
            if opportunity_id not in self._by_id:
                day = day_of_opportunity_id(opportunity_id)
                if day is not None:
                    self._day(day)
            return self._by_id.get(opportunity_id)

    # --- mutation helpers for tests -------------------------------------------------------

    def update_opportunity(self, opportunity_id: str, *, status: int | None = None,
                           estimated_total: float | None = None,
                           customer_name: str | None = None, customer_phone: str | None = None,
                           customer_email: str | None = None,
                           service_date: dt.date | None = None) -> SimOpportunity:
        """Change an opportunity; listings and details both show the change."""
        with self._lock:
            opp = self._require(opportunity_id)
            if status is not None:
                opp.status = int(status)
            if estimated_total is not None:
                opp.final_total = round(float(estimated_total), 2)
            for name, value in (("customer_name", customer_name),
                                ("customer_phone", customer_phone),
                                ("customer_email", customer_email)):
                if value is not None:
                    setattr(opp, name, value)
            if service_date is not None and service_date != opp.service_date:
                self._reschedule(opp, service_date)
            return opp

    def add_opportunity(self, day: dt.date, *, status: int = OpportunityStatus.BOOKED,
                        job_types: Sequence[int] = (JobType.MOVING,)) -> SimOpportunity:
        with self._lock:
            self._day(day)
            n = FIRST_ADDED_INDEX + self._added
            self._added += 1
            rng = random.Random(f"{self.seed}:added:{n}")
            opp = make_opportunity(self.catalogue, rng, self.seed, day, n, status, list(job_types))
            self._days[day].append(opp)
            self._by_id[opp.id] = opp
            return opp

    def remove_opportunity(self, opportunity_id: str) -> None:
        with self._lock:
            opp = self._require(opportunity_id)
            self._days[opp.service_date].remove(opp)
            del self._by_id[opp.id]

    # --- lifecycle (the scripting API: `/_script/...` and `simulator.script`) ---------------

    def set_status(self, opportunity_id: str, status: int) -> SimOpportunity:
        """Cancel (20), lose (30), re-book (4), un-book (3)...: the listing and details show it."""
        return self.update_opportunity(opportunity_id, status=int(status))

    def reschedule(self, opportunity_id: str, day: dt.date) -> SimOpportunity:
        """Move the opportunity's jobs to `day` (times keep their local hour)."""
        return self.update_opportunity(opportunity_id, service_date=day)

    def delete_opportunity(self, opportunity_id: str) -> None:
        """Deleted in SmartMoving: gone from listings, details answer 404."""
        with self._lock:
            self.remove_opportunity(opportunity_id)
            self.deleted_ids.add(opportunity_id)

    def change_job(self, opportunity_id: str, job_id: str | None = None, *,
                   start: dt.datetime | None = None, end: dt.datetime | None = None,
                   addresses: Sequence[str] | None = None, confirmed: bool | None = None) -> SimOpportunity:
        """A change seen only in details (times in `/jobs`, addresses in the opportunity); the
        listing entry stays identical. `job_id` None means the first job."""
        with self._lock:
            opp = self._require(opportunity_id)
            job = opp.jobs[0] if job_id is None else next(j for j in opp.jobs if j.id == job_id)
            if start is not None:
                length = (job.end - job.start) if job.start and job.end else None
                job.start = start.astimezone(dt.UTC)
                if end is None and length is not None:
                    job.end = job.start + length
            if end is not None:
                job.end = end.astimezone(dt.UTC)
            if addresses is not None:
                job.addresses = list(addresses)
            if confirmed is not None:
                job.confirmed = confirmed
            return opp

    def set_value(self, opportunity_id: str, final_total: float | None) -> SimOpportunity:
        """The estimate (details only); None is no estimate at all: `estimatedTotal: null` and
        `estimatedCharges: []`."""
        with self._lock:
            opp = self._require(opportunity_id)
            opp.null_total = opp.empty_charges = final_total is None
            if final_total is not None:
                opp.final_total = round(float(final_total), 2)
            return opp

    def set_shape(self, opportunity_id: str, *, empty_charges: bool | None = None,
                  null_total: bool | None = None) -> SimOpportunity:
        with self._lock:
            opp = self._require(opportunity_id)
            if empty_charges is not None:
                opp.empty_charges = empty_charges
            if null_total is not None:
                opp.null_total = null_total
            return opp

    def change_site(self, opportunity_id: str, job_id: str | None = None, *,
                    changes: Mapping[str, Any]) -> SimOpportunity:
        """Premium details (the job `job_id`, default the first): `arrival_window` (None: null),
        `no_start` (True: `startTimeUtc` null), `stops` (a list as served, [] none, None: drawn
        from the addresses again), `inventory` (None: none, 400), `payment` (an amount paid now)."""
        with self._lock:
            opp = self._require(opportunity_id)
            job = opp.jobs[0] if job_id is None else next(j for j in opp.jobs if j.id == job_id)
            if "arrival_window" in changes:
                job.arrival_window = changes["arrival_window"]
            if changes.get("no_start"):
                job.start = None
            if "stops" in changes:
                job.stops = None if changes["stops"] is None else [dict(stop) for stop in changes["stops"]]
            if "inventory" in changes:
                opp.inventory = changes["inventory"]
            if changes.get("payment") is not None:
                opp.payments.append(site.payment(float(changes["payment"]), at=dt.datetime.now(dt.UTC)))
            return opp

    def share_customer(self, opportunity_ids: Sequence[str]) -> None:
        """The opportunities all belong to the first one's customer (one listing entry each day)."""
        with self._lock:
            opps = [self._require(i) for i in opportunity_ids]
            for opp in opps[1:]:
                opp.customer_id, opp.customer_name = opps[0].customer_id, opps[0].customer_name
                opp.customer_phone, opp.customer_email = opps[0].customer_phone, opps[0].customer_email

    def customer_entries(self, opps: list[SimOpportunity]) -> list[tuple[SimOpportunity, list[SimOpportunity]]]:
        """The customers listing: one entry per customer (ordered by name) holding its
        opportunities, the repeated customers once more at the end."""
        by_customer: dict[str, list[SimOpportunity]] = {}
        for opp in sorted(opps, key=lambda o: (o.customer_name, o.customer_id, o.quote_number)):
            by_customer.setdefault(opp.customer_id, []).append(opp)
        entries = [(group[0], group) for group in by_customer.values()]
        return entries + [(group[0], group) for customer_id, group in by_customer.items()
                          if customer_id in self.repeated_customer_ids]

    def truth(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """What SmartMoving holds for the jobs in [first, last]: one dict per job."""
        return [{"opportunity_id": o.id, "job_id": j.id, "status": o.status, "date": j.day.isoformat(),
                 "start": j.start.isoformat() if j.start else None, "end": j.end.isoformat() if j.end else None,
                 "addresses": list(j.addresses), "final_total": None if o.null_total else o.final_total,
                 "customer_name": o.customer_name, "branch": o.branch.name, "job_count": len(o.jobs)}
                for o in self.opportunities_between(first, last) for j in o.jobs if first <= j.day <= last]

    # --- internals -----------------------------------------------------------------------

    def _day(self, day: dt.date) -> list[SimOpportunity]:
        if day not in self._days:
            if self.jobs_on is None:
                self._days[day] = generate_day(self.catalogue, self.seed, day)
            else:
                count = self.jobs_on.get(day)
                self._days[day] = [] if count is None else generate_day(self.catalogue, self.seed, day, count)
            self._days[day] = [opp for opp in self._days[day] if opp.id not in self.deleted_ids]
            if self.awkward:
                _make_awkward(self._days[day])
            self._by_id.update((opp.id, opp) for opp in self._days[day])
        return self._days[day]

    def _require(self, opportunity_id: str) -> SimOpportunity:
        opp = self.opportunity(opportunity_id)
        if opp is None:
            raise KeyError(f"no opportunity {opportunity_id}")
        return opp

    def _reschedule(self, opp: SimOpportunity, day: dt.date) -> None:
        shift = day - opp.service_date
        self._days[opp.service_date].remove(opp)
        self._day(day).append(opp)
        opp.service_date = day
        for job in opp.jobs:
            job.day += shift
            for name in ("start", "end", "confirmed_at", "completed_at", "closed_at"):
                value = getattr(job, name)
                if value is not None:
                    setattr(job, name, value + shift)


def _make_awkward(opps: list[SimOpportunity]) -> None:
    for n, opp in enumerate(opps):
        opp.empty_charges = n % 4 == 1 or n % 9 == 4
        opp.null_total = n % 9 == 4
        if n % 10 == 3:
            before = opps[n - 1]
            opp.customer_id, opp.customer_name = before.customer_id, before.customer_name
            opp.customer_phone, opp.customer_email = before.customer_phone, before.customer_email


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


# --- HTTP ------------------------------------------------------------------------------------


def create_simulator_app(state: SimulatorState | None = None) -> FastAPI:
    """The FastAPI app answering like the live API; `app.state.simulator` is the state."""
    state = state or SimulatorState()
    app = FastAPI(title="SmartMoving API simulator", docs_url=None, redoc_url=None)
    app.state.simulator = state

    @app.middleware("http")
    async def gate(request: Request, call_next: Callable[[Request], Any]) -> Response:
        key = request.headers.get("x-api-key") or request.query_params.get("api-key") or ""
        authorised = secrets.compare_digest(key.encode(), state.api_key.encode())
        if request.url.path.startswith(SCRIPT_PREFIX):  # test scripting: never logged, no faults
            return await call_next(request) if authorised else _message(401, "Access denied due to invalid API key.")
        record = state.log_call(request.method, request.url.path)
        if not authorised:
            response: Response = _message(401, "Access denied due to invalid API key.")
        elif request.url.path.startswith(PREMIUM_PREFIX) and not state.premium:
            response = _message(403, "This API key is not on the Premium tier.")
        else:
            response = await state.inject_fault() or await call_next(request)
        record.status, record.answered_at = response.status_code, time.monotonic()
        return response

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return _message(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _message(400, "; ".join(str(e.get("msg")) for e in exc.errors()))

    app.include_router(_router(state), prefix="/api")
    app.include_router(script_router(state), prefix=SCRIPT_PREFIX)
    app.include_router(writes_script_router(state.writes), prefix=SCRIPT_PREFIX)
    return app


def _message(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def _paging(page: int = Query(1, alias="Page"),
            page_size: int = Query(DEFAULT_PAGE_SIZE, alias="PageSize")) -> tuple[int, int]:
    return max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)


def _page(items: Sequence[Any], paging: tuple[int, int]) -> dict[str, Any]:
    page, size = paging
    total_pages = math.ceil(len(items) / size)
    chunk = list(items[(page - 1) * size: page * size])
    return {"pageNumber": page, "pageSize": size, "lastPage": page >= total_pages,
            "totalPages": total_pages, "totalResults": len(items), "totalThisPage": len(chunk),
            "pageResults": chunk}


def _query_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise HTTPException(400, f"Invalid date '{value}', expected yyyyMMdd.") from None


def _date_range(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """One given date means that single day; none means no filter."""
    if first is None and last is None:
        return None
    return (first or last, last or first)  # type: ignore[return-value]


def _router(state: SimulatorState) -> APIRouter:
    router = APIRouter()
    catalogue = state.catalogue

    @router.get("/ping")
    async def ping() -> str:
        return "pong"

    def listing(path: str, items: Callable[[], Sequence[Any]]) -> None:
        async def endpoint(paging: tuple[int, int] = Depends(_paging)) -> dict[str, Any]:
            return _page(items(), paging)

        router.add_api_route(path, endpoint, methods=["GET"])

    listing("/branches", lambda: [branch_json(b, state_in_full=state.state_names_in_full)
                                  for b in catalogue.branches])
    listing("/service-types", lambda: catalogue.service_types)
    listing("/move-sizes", lambda: catalogue.move_sizes)
    listing("/users", lambda: catalogue.users)
    listing("/tariffs", lambda: catalogue.tariffs)
    listing("/referral-sources", lambda: catalogue.referral_sources)

    @router.get("/premium/tariffs/{tariff_id}/materials")
    async def materials(tariff_id: str,
                        paging: tuple[int, int] = Depends(_paging)) -> dict[str, Any]:
        if tariff_id not in catalogue.materials:
            raise HTTPException(400, "Tariff not found")
        return _page(catalogue.materials[tariff_id], paging)

    @router.get("/customers")
    async def customers(paging: tuple[int, int] = Depends(_paging),
                        from_date: str | None = Query(None, alias="FromServiceDate"),
                        to_date: str | None = Query(None, alias="ToServiceDate"),
                        include: bool | None = Query(None, alias="IncludeOpportunityInfo"),
                        ) -> Any:
        """Ordered by name; with dates, opportunity info is included unless turned off."""
        dates = _date_range(_query_date(from_date), _query_date(to_date))
        opps = state.opportunities_between(*dates) if dates else state.known_opportunities()
        include_opportunities = include if include is not None else dates is not None
        items = [customer_json(first, include_opportunities, state.malformed_opportunity_ids, group)
                 for first, group in state.customer_entries(opps)]
        page = _page(items, paging)
        return page["pageResults"] if state.customers_as_bare_array else page

    def found(opportunity_id: str) -> SimOpportunity:
        if opportunity_id in state.failing_opportunity_ids:
            code = state.failing_opportunity_ids[opportunity_id]
            raise HTTPException(code, "An error occurred while processing your request." if code >= 500
                                else "The request is invalid.")
        if opportunity_id in state.deleted_ids:
            raise HTTPException(404, "Opportunity not found")
        opp = state.opportunity(opportunity_id)
        if opp is None:
            raise HTTPException(400, "Opportunity not found")
        return opp

    @router.get("/opportunities/{opportunity_id}")
    async def opportunity(opportunity_id: str,
                          include_addresses: bool = Query(False, alias="IncludeJobAddresses"),
                          include_charges: bool = Query(False, alias="IncludeCharges"),
                          include_payments: bool = Query(False, alias="IncludePayments"),
                          ) -> dict[str, Any]:
        opp = found(opportunity_id)
        return opportunity_json(opp, include_addresses=include_addresses,
                                include_charges=include_charges, include_payments=include_payments,
                                malformed=opp.id in state.malformed_opportunity_ids)

    @router.get("/opportunities/{opportunity_id}/jobs")
    async def opportunity_jobs(opportunity_id: str) -> list[dict[str, Any]]:
        opp = found(opportunity_id)
        return jobs_json(opp, opp.id in state.malformed_opportunity_ids)

    @router.get("/premium/opportunities/{opportunity_id}/jobs/{job_id}")
    async def premium_job(opportunity_id: str, job_id: str,
                          include_stops: bool = Query(False, alias="IncludeStops"),
                          include_materials: bool = Query(False, alias="IncludeEstimatedMaterials"),
                          ) -> dict[str, Any]:
        opp = found(opportunity_id)
        job = next((j for j in opp.jobs if j.id == job_id), None)
        if job is None:
            raise HTTPException(400, "Job not found")
        return premium_job_json(opp, job, include_stops=include_stops, include_materials=include_materials)

    @router.get("/premium/opportunities/{opportunity_id}/inventory")
    async def inventory(opportunity_id: str) -> dict[str, Any]:
        opp = found(opportunity_id)
        if opp.inventory is None:
            raise HTTPException(400, "Inventory not found")
        return opp.inventory

    router.include_router(writes_router(state.writes, found))
    return router


def main(argv: Sequence[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--jobs-on", action="append", type=_day_and_count, metavar="YYYY-MM-DD=N",
                        help="that day has N jobs (repeatable); days not given then have none")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--log-level", default="info", help="uvicorn's; below info, requests are not logged")
    args = parser.parse_args(argv)
    try:
        state = SimulatorState(seed=args.seed, api_key=args.api_key,
                               jobs_on=dict(args.jobs_on) if args.jobs_on else None)
    except ValueError as exc:
        parser.error(str(exc))
    state.delay_seconds = args.delay
    app = create_simulator_app(state)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


def _day_and_count(value: str) -> tuple[dt.date, int]:
    day, _, count = value.partition("=")
    try:
        return dt.date.fromisoformat(day), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD=N, got {value!r}") from None


if __name__ == "__main__":
    main()
