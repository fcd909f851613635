"""The planner and availability over JSON.

- `GET /api/planner?view=day|week&day=&location_id=…`: the jobs, truck and person rows and days off
  of a day or a week at the chosen branches of the caller's scope (USE_PLANNER).
- `GET /api/planner/suggestions?location_id=&day=`: suggested crews (nothing is written; accept a
  proposal with `POST /api/journey/{id}/crew`).
- `GET /api/availability?user_id=|truck_id=`, `POST /api/availability` (201), `DELETE
  /api/availability/{id}`, `PUT /api/availability/skills/{user_id}`: time off, out of service,
  skills (MANAGE_AVAILABILITY, people and trucks in scope).

No `from __future__ import annotations`: FastAPI reads the body classes from the signatures."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import Day, RowId
from domain.availability.edit import add_period, remove_period, resource_availability, set_skills
from domain.availability.periods import Period
from domain.availability.schemas import NewPeriod, SkillSet
from domain.availability.skills import skill_labels
from domain.errors import ValidationFailed
from domain.planner.suggest import suggest_crews
from domain.planner.views import MAX_BRANCHES, Planner, PlannerJob, PlannerRow, View, load_planner

router = APIRouter(tags=["planner"])


def _period(period: Period) -> dict[str, Any]:
    return {"id": period.id, "user_id": period.user_id, "truck_id": period.truck_id,
            "starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
            "weekdays": [d for d in range(7) if period.weekdays is None or period.weekdays & (1 << d)],
            "reason": period.reason, "description": period.describe()}


def _row(row: PlannerRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "detail": row.detail, "location_id": row.location_id,
            "skills": skill_labels(row.skills), "off": {d.isoformat(): p.describe() for d, p in row.off.items()}}


def _job(job: PlannerJob) -> dict[str, Any]:
    return {"id": job.id, "label": job.label, "customer_name": job.customer, "location_id": job.location_id,
            "date": job.day.isoformat(), "start": job.start.isoformat(), "end": job.end.isoformat(),
            "status": job.status.value, "truck_id": job.truck_id,
            "crew": [{"user_id": u, "role": r.value} for u, r in job.crew], "missing": job.missing}


def _planner(p: Planner) -> dict[str, Any]:
    return {"view": p.view.value, "days": [d.isoformat() for d in p.days],
            "locations": [{"id": loc.id, "name": loc.name, "timezone": loc.timezone} for loc in p.locations],
            "location_ids": list(p.chosen), "trucks": [_row(r) for r in p.trucks],
            "people": [_row(r) for r in p.people], "jobs": [_job(j) for j in p.jobs]}


@router.get("/api/planner")
async def read_planner(
    principal: CurrentPrincipal, view: View = View.DAY, day: Day | None = None,
    location_id: Annotated[list[RowId] | None, Query(max_length=MAX_BRANCHES)] = None,
) -> JSONResponse:
    return ok(_planner(await load_planner(principal, view, day, location_id)))


@router.get("/api/planner/suggestions")
async def read_suggestions(principal: CurrentPrincipal, location_id: RowId, day: Day) -> JSONResponse:
    found = await suggest_crews(principal, location_id, day)
    return ok({"location_id": found.location_id, "date": found.day.isoformat(), "status": found.status,
               "proposals": [{"journey_id": p.job_id, "label": p.job_label, "truck_id": p.truck_id,
                              "crew": [{"user_id": c.user_id, "role": c.role.value} for c in p.crew],
                              "summary": p.summary} for p in found.proposals],
               "left_out": [{"journey": job, "reason": why} for job, why in found.left_out]})


@router.get("/api/availability")
async def read_availability(principal: CurrentPrincipal, user_id: RowId | None = None,
                            truck_id: RowId | None = None) -> JSONResponse:
    if (user_id is None) == (truck_id is None):
        raise ValidationFailed("Choose a person (user_id) or a truck (truck_id)")
    found = await resource_availability(principal, user_id=user_id, truck_id=truck_id)
    return ok({"name": found.name, "periods": [_period(p) for p in found.periods],
               "skills": sorted(found.skills), "skill_labels": found.skill_labels})


@router.post("/api/availability", status_code=201)
async def create_period(body: NewPeriod, principal: CurrentPrincipal) -> JSONResponse:
    return ok(_period(await add_period(principal, body)), "period recorded", 201)


@router.delete("/api/availability/{period_id}")
async def delete_period(period_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    await remove_period(principal, period_id)
    return ok(None, "period removed")


@router.put("/api/availability/skills/{user_id}")
async def replace_skills(user_id: RowId, body: SkillSet, principal: CurrentPrincipal) -> JSONResponse:
    return ok({"skills": sorted(await set_skills(principal, user_id, body))}, "skills saved")

