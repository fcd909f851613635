"""JSON shapes of the simulator, as the live API answers them (see NOTES.md).

The customers listing has `quoteNumber` and `serviceDate` as strings; the opportunity details
have them as integers. A malformed opportunity answers jobs without `id` and with the date
"not-a-date" everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from integrations.smartmoving.simulator import site
from integrations.smartmoving.simulator.data import STATE_NAMES, SimBranch, SimJob, SimOpportunity

Json = dict[str, Any]
BROKEN_DATE = "not-a-date"


def branch_json(branch: SimBranch, *, state_in_full: bool = False) -> Json:
    """`state_in_full` writes the state or province out ("Alberta"), as some live accounts do."""
    state = STATE_NAMES.get(branch.province, branch.province) if state_in_full else branch.province
    return {
        "id": branch.id, "name": branch.name, "phoneNumber": branch.phone, "isPrimary": False,
        "dispatchLocation": {
            "fullAddress": f"{branch.street}, {branch.city}, {state} {branch.postal_code}",
            "street": branch.street, "city": branch.city, "state": state,
            "zip": branch.postal_code, "lat": branch.lat, "lng": branch.lng,
        },
    }


def customer_json(opp: SimOpportunity, include_opportunities: bool, malformed: bool | set[str],
                  opportunities: list[SimOpportunity] | None = None) -> Json:
    """One customer of `/api/customers` with its `opportunities` (default: `opp` alone; a
    customer shared by several opportunities lists them all). `malformed` is a flag for `opp`
    or the set of malformed opportunity ids."""
    opps = opportunities or [opp]
    broken = malformed if isinstance(malformed, set) else {opp.id} if malformed else set()
    return {
        "id": opp.customer_id,
        "opportunities": [_opportunity_summary_json(o, o.id in broken) for o in opps]
        if include_opportunities else None,
        "name": opp.customer_name, "phoneNumber": opp.customer_phone, "phoneType": 0,
        "emailAddress": opp.customer_email,
        "address": opp.jobs[0].addresses[0] if opp.jobs and opp.jobs[0].addresses else None,
        "secondaryPhoneNumbers": [],
    }


def _opportunity_summary_json(opp: SimOpportunity, malformed: bool) -> Json:
    jobs = [{"id": job.id, "jobNumber": job.number, "serviceDate": f"{job.day:%Y%m%d}",
             "type": job.type} for job in opp.jobs]
    return {"id": opp.id, "quoteNumber": str(opp.quote_number), "status": opp.status,
            "jobs": _break(jobs, "serviceDate") if malformed else jobs}


def opportunity_json(opp: SimOpportunity, *, include_addresses: bool, include_charges: bool,
                     malformed: bool, include_payments: bool = False) -> Json:
    """`/api/opportunities/{id}`; addresses, charges and payments only when asked for, like live."""
    subtotal = round(opp.final_total / (1 + opp.tax_rate), 2)
    jobs = [_job_json(job, include_addresses, include_charges, opp.empty_charges) for job in opp.jobs]
    return {
        "id": opp.id, "quoteNumber": opp.quote_number,
        "customer": {"id": opp.customer_id, "name": opp.customer_name,
                     "emailAddress": opp.customer_email, "phoneNumber": opp.customer_phone,
                     "phoneType": 0},
        "branch": {"name": opp.branch.name, "phoneNumber": opp.branch.phone},
        "contacts": [], "opportunityType": 0, "type": opp.jobs[0].type if opp.jobs else None,
        "serviceDate": int(f"{opp.service_date:%Y%m%d}"), "status": opp.status,
        "leadStatus": None,
        "moveSize": {key: opp.move_size[key] for key in ("name", "description", "volume")},
        "volume": opp.move_size["volume"], "weight": opp.move_size["weight"],
        "volumeWeightCalculationMode": 0,
        "estimatedTotal": None if opp.null_total else {
            "subtotal": subtotal, "taxableAmount": subtotal, "tax": round(opp.final_total - subtotal, 2),
            "finalTotal": opp.final_total},
        "estimator": None, "salesAssignee": None, "hasTripInfo": False,
        "referralSource": opp.referral_source, "allowInventoryUpdates": True,
        "jobs": _break(jobs, "jobDate") if malformed else jobs,
        "tariff": {"id": opp.tariff["id"], "name": opp.tariff["name"]},
        "payments": [dict(p) for p in opp.payments] if include_payments else None,
    }


def premium_job_json(opp: SimOpportunity, job: SimJob, *, include_stops: bool, include_materials: bool) -> Json:
    """`/api/premium/opportunities/{o}/jobs/{j}` (JobViewModel): the job's times, arrival window,
    stops and materials when asked for; its charges too, money the app must not read."""
    stops = job.stops if job.stops is not None else site.stops(job.id, job.addresses, opp.branch.lat, opp.branch.lng)
    charges = [{"id": f"{job.id[:24]}{n:012d}", "name": c["name"], "chargeCategory": c["chargeCategory"],
                "chargeType": 0, "subtotal": c["subtotal"], "discountAmount": None, "discountPercent": None,
                "quantity": 1, "totalCost": c["totalCost"]} for n, c in enumerate(job.charges)]
    return {
        "opportunityId": opp.id, "arrivalWindow": job.arrival_window, "dropOffDate": None,
        "stops": [dict(stop) for stop in stops] if include_stops else None,
        "estimatedCharges": charges, "actualCharges": None,
        "estimatedMaterials": [dict(m) for m in job.materials] if include_materials else None,
        "actualMaterials": None,
        "id": job.id, "type": job.type, "jobNumber": job.number, "jobDate": int(f"{job.day:%Y%m%d}"),
        "startTimeUtc": _iso_z(job.start), "endTimeUtc": _iso_offset(job.end),
        "completedAtUtc": _iso_naive_7(job.completed_at), "confirmedAtUtc": _iso_centis(job.confirmed_at),
        "closedAtUtc": _iso_z(job.closed_at),
    }


def _job_json(job: SimJob, include_addresses: bool, include_charges: bool, empty_charges: bool = False) -> Json:
    return {"id": job.id, "jobNumber": job.number, "jobDate": int(f"{job.day:%Y%m%d}"),
            "type": job.type, "confirmed": job.confirmed,
            "jobAddresses": list(job.addresses) if include_addresses else None,
            "jobDocuments": [],
            "estimatedCharges": ([] if empty_charges else [dict(c) for c in job.charges])
            if include_charges else None,
            "actualCharges": [] if include_charges else None}


def jobs_json(opp: SimOpportunity, malformed: bool) -> list[Json]:
    """`/api/opportunities/{id}/jobs`, a bare array (spec and live agree).

    The date-times vary in shape on purpose, as .NET APIs do: "Z", "+00:00", no offset with
    seven fractional digits, two fractional digits.
    """
    jobs = [{"id": job.id, "type": job.type, "jobNumber": job.number,
             "jobDate": int(f"{job.day:%Y%m%d}"),
             "startTimeUtc": _iso_z(job.start), "endTimeUtc": _iso_offset(job.end),
             "completedAtUtc": _iso_naive_7(job.completed_at),
             "confirmedAtUtc": _iso_centis(job.confirmed_at), "closedAtUtc": _iso_z(job.closed_at)}
            for job in opp.jobs]
    return _break(jobs, "startTimeUtc") if malformed else jobs


def _break(jobs: list[Json], date_key: str) -> list[Json]:
    """Jobs of a malformed opportunity: no id and an unparseable date."""
    return [{**{k: v for k, v in job.items() if k != "id"}, date_key: BROKEN_DATE}
            for job in jobs]


def _iso_z(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%dT%H:%M:%S}Z"


def _iso_offset(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _iso_naive_7(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0"


def _iso_centis(value: dt.datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 10_000:02d}Z"
