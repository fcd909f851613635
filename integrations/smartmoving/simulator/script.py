"""The simulator's scripting API: SmartMoving lifecycle changes and awkward live shapes, made
over HTTP by tests and the bench (`/_script/...`, same API key, never logged as API calls nor
hit by injected faults), and `SimulatorScript`, the Python helper that calls it.

    POST   /_script/opportunities                       {"date", "status"?, "job_types"?} → the new one
    GET    /_script/opportunities?from=&to=             SmartMoving's truth, one row per job
    POST   /_script/opportunities/{id}/status           {"status": 20}   cancel 20, lose 30, book 4, un-book 3
    POST   /_script/opportunities/{id}/reschedule       {"date": "2026-11-20"}
    DELETE /_script/opportunities/{id}                  gone from listings, details answer 404
    POST   /_script/opportunities/{id}/jobs             {"job_id"?, "start"?, "end"?, "addresses"?} (details only)
    POST   /_script/opportunities/{id}/value            {"final_total": 1234.5 | null} (details only)
    POST   /_script/opportunities/{id}/shape            {"empty_charges"?, "null_total"?}
    POST   /_script/opportunities/{id}/fail             {"status": 500 | null} its details answer that, always
    POST   /_script/opportunities/{id}/site             {"job_id"?, "arrival_window"?, "no_start"?, "stops"?,
                                                         "inventory"?, "payment"?} Premium details, payments
    POST   /_script/customers/share                     {"opportunity_ids": [...]} one customer for all
    POST   /_script/customers/{customer_id}/repeat      the customer is listed twice (a later page too)
    POST   /_script/settings                            {"customers_as_bare_array"?, "state_names_in_full"?,
                                                         "premium"?} (false: a Basic key, premium paths 403)
    GET    /_script/writes                              attachments and job notes received (simulator.writes)
    POST   /_script/writes/delay                        {"seconds": 30} an attachment is taken, then answered late
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import APIRouter, Body, HTTPException

if TYPE_CHECKING:
    from integrations.smartmoving.simulator.data import SimOpportunity
    from integrations.smartmoving.simulator.server import SimulatorState

SCRIPT_PREFIX = "/_script"

CANCELLED, LOST, BOOKED, OPPORTUNITY = 20, 30, 4, 3
JSON_BODY = Body(...)


def _summary(opp: SimOpportunity) -> dict[str, Any]:
    return {"id": opp.id, "status": opp.status, "customer_id": opp.customer_id, "date": opp.service_date.isoformat(),
            "job_ids": [job.id for job in opp.jobs], "branch": opp.branch.name}


def _date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise HTTPException(400, f"not a date: {value!r}") from None


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(400, f"not a date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def script_router(state: SimulatorState) -> APIRouter:
    router = APIRouter()

    def known(opportunity_id: str) -> SimOpportunity:
        opp = state.opportunity(opportunity_id)
        if opp is None or opportunity_id in state.deleted_ids:
            raise HTTPException(404, "Opportunity not found")
        return opp

    @router.post("/opportunities")
    async def add(body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        opp = state.add_opportunity(_date(body.get("date")), status=int(body.get("status", BOOKED)),
                                    job_types=tuple(body.get("job_types") or (1,)))
        return _summary(opp)

    @router.get("/opportunities")
    async def truth(first: str = "", last: str = "") -> list[dict[str, Any]]:
        return state.truth(_date(first), _date(last or first))

    @router.post("/opportunities/{opportunity_id}/status")
    async def status(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        known(opportunity_id)
        return _summary(state.set_status(opportunity_id, int(body["status"])))

    @router.post("/opportunities/{opportunity_id}/reschedule")
    async def reschedule(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        known(opportunity_id)
        return _summary(state.reschedule(opportunity_id, _date(body.get("date"))))

    @router.delete("/opportunities/{opportunity_id}")
    async def delete(opportunity_id: str) -> dict[str, Any]:
        known(opportunity_id)
        state.delete_opportunity(opportunity_id)
        return {"id": opportunity_id, "deleted": True}

    def known_job(opportunity_id: str, body: dict[str, Any]) -> str | None:
        """The body's `job_id` (None: the first job), checked to be one of the opportunity's."""
        opp = known(opportunity_id)
        job_id = body.get("job_id")
        if job_id is not None and job_id not in {job.id for job in opp.jobs}:
            raise HTTPException(404, "Job not found")
        return None if job_id is None else str(job_id)

    @router.post("/opportunities/{opportunity_id}/jobs")
    async def change_job(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        job_id = known_job(opportunity_id, body)
        addresses = body.get("addresses")
        return _summary(state.change_job(opportunity_id, job_id, start=_datetime(body.get("start")),
                                         end=_datetime(body.get("end")),
                                         addresses=None if addresses is None else [str(a) for a in addresses]))

    @router.post("/opportunities/{opportunity_id}/value")
    async def value(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        known(opportunity_id)
        total = body.get("final_total")
        return _summary(state.set_value(opportunity_id, None if total is None else float(total)))

    @router.post("/opportunities/{opportunity_id}/shape")
    async def shape(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        known(opportunity_id)
        return _summary(state.set_shape(opportunity_id, empty_charges=body.get("empty_charges"),
                                        null_total=body.get("null_total")))

    @router.post("/opportunities/{opportunity_id}/fail")
    async def fail(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        known(opportunity_id)
        code = body.get("status")
        if code is None:
            state.failing_opportunity_ids.pop(opportunity_id, None)
        else:
            state.failing_opportunity_ids[opportunity_id] = int(code)
        return {"id": opportunity_id, "status": code}

    @router.post("/opportunities/{opportunity_id}/site")
    async def change_site(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        job_id = known_job(opportunity_id, body)
        known_keys = {"arrival_window", "no_start", "stops", "inventory", "payment"}
        return _summary(state.change_site(opportunity_id, job_id,
                                          changes={k: v for k, v in body.items() if k in known_keys}))

    @router.post("/customers/share")
    async def share(body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        ids = [str(i) for i in body.get("opportunity_ids") or []]
        for opportunity_id in ids:
            known(opportunity_id)
        state.share_customer(ids)
        return {"customer_id": known(ids[0]).customer_id if ids else None}

    @router.post("/customers/{customer_id}/repeat")
    async def repeat(customer_id: str) -> dict[str, Any]:
        state.repeated_customer_ids.add(customer_id)
        return {"customer_id": customer_id, "repeated": True}

    @router.post("/settings")
    async def settings(body: dict[str, Any] = JSON_BODY) -> dict[str, Any]:
        for name in ("customers_as_bare_array", "state_names_in_full", "premium"):
            if name in body:
                setattr(state, name, bool(body[name]))
        return {"customers_as_bare_array": state.customers_as_bare_array,
                "state_names_in_full": state.state_names_in_full, "premium": state.premium}

    return router


class SimulatorScript:
    """Makes SmartMoving changes on a running simulator over HTTP (tests, the bench):
    `async with SimulatorScript(url, key) as sm: await sm.cancel(opportunity_id)`."""

    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/") + SCRIPT_PREFIX, timeout=timeout,
                                       headers={"x-api-key": api_key}, transport=transport)

    async def __aenter__(self) -> SimulatorScript:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
                    params: dict[str, str] | None = None) -> Any:
        response = await self._http.request(method, path, json=body, params=params)
        response.raise_for_status()
        return response.json()

    async def _object(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A call whose answer is one JSON object (the simulator's view of what changed)."""
        answer: dict[str, Any] = await self._call(method, path, body)
        return answer

    # --- lifecycle ---
    async def set_status(self, opportunity_id: str, status: int) -> dict[str, Any]:
        return await self._object("POST", f"/opportunities/{opportunity_id}/status", {"status": int(status)})

    async def cancel(self, opportunity_id: str) -> dict[str, Any]:
        return await self.set_status(opportunity_id, CANCELLED)

    async def lose(self, opportunity_id: str) -> dict[str, Any]:
        return await self.set_status(opportunity_id, LOST)

    async def book(self, opportunity_id: str) -> dict[str, Any]:
        """Book, or re-book after a cancellation."""
        return await self.set_status(opportunity_id, BOOKED)

    async def unbook(self, opportunity_id: str) -> dict[str, Any]:
        """Booked → Opportunity (3)."""
        return await self.set_status(opportunity_id, OPPORTUNITY)

    async def reschedule(self, opportunity_id: str, day: dt.date) -> dict[str, Any]:
        return await self._object("POST", f"/opportunities/{opportunity_id}/reschedule", {"date": day.isoformat()})

    async def delete(self, opportunity_id: str) -> dict[str, Any]:
        return await self._object("DELETE", f"/opportunities/{opportunity_id}")

    async def add(self, day: dt.date, *, status: int = BOOKED, job_types: tuple[int, ...] = (1,)) -> dict[str, Any]:
        return await self._object("POST", "/opportunities", {"date": day.isoformat(), "status": status,
                                                           "job_types": list(job_types)})

    # --- details-only changes ---
    async def change_job(self, opportunity_id: str, job_id: str | None = None, *, start: dt.datetime | None = None,
                         end: dt.datetime | None = None, addresses: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"job_id": job_id}
        if start is not None:
            body["start"] = start.isoformat()
        if end is not None:
            body["end"] = end.isoformat()
        if addresses is not None:
            body["addresses"] = addresses
        return await self._object("POST", f"/opportunities/{opportunity_id}/jobs", body)

    async def set_value(self, opportunity_id: str, final_total: float | None) -> dict[str, Any]:
        return await self._object("POST", f"/opportunities/{opportunity_id}/value", {"final_total": final_total})

    # --- awkward shapes ---
    async def shape(self, opportunity_id: str, *, empty_charges: bool | None = None,
                    null_total: bool | None = None) -> dict[str, Any]:
        return await self._object("POST", f"/opportunities/{opportunity_id}/shape",
                                {"empty_charges": empty_charges, "null_total": null_total})

    async def fail(self, opportunity_id: str, status: int | None) -> None:
        """The opportunity's details answer `status` every time (None: answer normally again)."""
        await self._call("POST", f"/opportunities/{opportunity_id}/fail", {"status": status})

    async def change_site(self, opportunity_id: str, job_id: str | None = None, **changes: Any) -> dict[str, Any]:
        """Premium details and payments: `arrival_window=None`, `no_start=True`, `stops=[]`,
        `inventory=None`, `payment=250.0` (see `SimulatorState.change_site`)."""
        return await self._object("POST", f"/opportunities/{opportunity_id}/site", {"job_id": job_id, **changes})

    async def share_customer(self, opportunity_ids: list[str]) -> str:
        return str((await self._call("POST", "/customers/share", {"opportunity_ids": opportunity_ids}))["customer_id"])

    async def repeat_customer(self, customer_id: str) -> None:
        await self._call("POST", f"/customers/{customer_id}/repeat")

    async def settings(self, **switches: bool) -> dict[str, Any]:
        return await self._object("POST", "/settings", switches)

    async def delay_attachments(self, seconds: float) -> None:
        """Attachments are stored at once and answered `seconds` later."""
        await self._call("POST", "/writes/delay", {"seconds": seconds})

    # --- reading ---
    async def writes(self) -> dict[str, Any]:
        """The Premium writes received: `attachments` by opportunity, `note_patches`, `job_notes`."""
        return await self._object("GET", "/writes")

    async def truth(self, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        """SmartMoving's jobs in [first, last] as the simulator holds them."""
        jobs: list[dict[str, Any]] = await self._call(
            "GET", "/opportunities", params={"first": first.isoformat(), "last": last.isoformat()})
        return jobs
