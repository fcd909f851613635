"""Deterministic data of the SmartMoving simulator.

Reference data comes from the seed; the opportunities of a day from (seed, day), so any date
can be asked for and always answers the same. Opportunity ids are UUID5s of (seed, day, n)
whose last 12 hex digits spell `yyyyMMdd` + `nnnn`: an id alone tells which day to
generate, so ids stay resolvable after a restart of the simulator.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from integrations.smartmoving.records import JobType, OpportunityStatus
from integrations.smartmoving.simulator import site

BRANCHES_FILE = Path(__file__).resolve().parents[3] / "demo_data" / "branches.json"
NAMESPACE = uuid.UUID("5b0c2f2e-7a43-4a5e-9d0e-2f6f3b1c8a11")

Json = dict[str, Any]

STATUS_WEIGHTS = {
    OpportunityStatus.BOOKED: 40, OpportunityStatus.COMPLETED: 15, OpportunityStatus.CLOSED: 12,
    OpportunityStatus.OPPORTUNITY: 10, OpportunityStatus.CANCELLED: 6, OpportunityStatus.LOST: 5,
    OpportunityStatus.NEW_LEAD: 4, OpportunityStatus.LEAD_IN_PROGRESS: 4,
    OpportunityStatus.BAD_LEAD: 4,
}
LEAD_STATUSES = {OpportunityStatus.NEW_LEAD, OpportunityStatus.LEAD_IN_PROGRESS,
                 OpportunityStatus.BAD_LEAD}
DONE_STATUSES = {OpportunityStatus.COMPLETED, OpportunityStatus.CLOSED}
CUSTOM_JOB_TYPES = {101: "Piano Moving", 102: "Cleaning"}
JOB_TYPE_NAMES = {
    JobType.MOVING: "Moving", JobType.PACKING: "Packing",
    JobType.MOVING_AND_PACKING: "Moving and Packing", JobType.LOAD_ONLY: "Load Only",
    JobType.UNLOAD_ONLY: "Unload Only", JobType.COMMERCIAL: "Commercial",
    JobType.STORAGE_IN: "Storage In", JobType.STORAGE_OUT: "Storage Out",
    JobType.INNER_HOUSE: "Inner House", JobType.JUNK_REMOVAL: "Junk Removal",
    JobType.LABOR_ONLY: "Labor Only", **CUSTOM_JOB_TYPES,
}
JOB_TYPE_WEIGHTS = {
    JobType.MOVING: 45, JobType.MOVING_AND_PACKING: 15, JobType.PACKING: 8,
    JobType.COMMERCIAL: 5, JobType.LOAD_ONLY: 4, JobType.UNLOAD_ONLY: 4,
    JobType.JUNK_REMOVAL: 4, JobType.STORAGE_IN: 3, JobType.STORAGE_OUT: 3,
    JobType.INNER_HOUSE: 3, JobType.LABOR_ONLY: 3, 101: 2, 102: 1,
}
#: Enough jobs for every status and every job type to appear once.
MIN_JOBS_PER_DAY = max(len(STATUS_WEIGHTS), len(JOB_TYPE_WEIGHTS))
ONE_ADDRESS_JOB_TYPES = {JobType.PACKING, JobType.LOAD_ONLY, JobType.UNLOAD_ONLY,
                         JobType.INNER_HOUSE, JobType.JUNK_REMOVAL, JobType.LABOR_ONLY, 102}
PACKING_JOB_TYPES = {JobType.PACKING, JobType.MOVING_AND_PACKING}
#: State and province names written out, as some live accounts send them ("Texas", "Alberta").
STATE_NAMES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario", "PE": "Prince Edward Island",
    "QC": "Quebec", "SK": "Saskatchewan", "AZ": "Arizona", "CA": "California", "CO": "Colorado",
    "FL": "Florida", "GA": "Georgia", "IL": "Illinois", "MA": "Massachusetts", "MN": "Minnesota",
    "NC": "North Carolina", "NV": "Nevada", "NY": "New York", "OR": "Oregon", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "WA": "Washington",
}
TAX_RATES = {"ON": 0.13, "NS": 0.15, "NB": 0.15, "NL": 0.15, "QC": 0.14975}

FIRST_NAMES = ("Olivia", "Liam", "Emma", "Noah", "Charlotte", "William", "Amelia", "Benjamin",
               "Sophia", "Lucas", "Ava", "Ethan", "Mia", "Jacob", "Chloe", "Oliver", "Zoe",
               "Daniel", "Priya", "Arjun", "Mei", "Wei", "Fatima", "Omar", "Sofia", "Mateo",
               "Isabelle", "Gabriel", "Aisha", "Samuel", "Hannah", "Leo", "Nora", "Jack")
LAST_NAMES = ("Smith", "Brown", "Tremblay", "Martin", "Roy", "Wilson", "MacDonald", "Gagnon",
              "Johnson", "Taylor", "Campbell", "Anderson", "Lee", "Wong", "Patel", "Singh",
              "Nguyen", "Chen", "Garcia", "Rodriguez", "Kim", "Clarke", "Walker", "Young",
              "Hall", "Scott", "Morrison", "Fraser", "Bouchard", "Lavoie", "Khan", "Ali")
STREETS = ("Maple Ave", "Oak St", "Cedar Cres", "Pine Rd", "Birch Dr", "Elm St", "Willow Way",
           "Lakeshore Blvd", "Main St", "King St", "Queen St", "Park Ave", "Hillcrest Rd",
           "Riverside Dr", "Sunset Blvd", "Victoria St", "Church St", "Mill Rd", "College Ave",
           "Highland Ave", "Meadowbrook Ln", "Spruce Ct", "Harbour View Rd", "Orchard Cres")
MOVE_SIZES = (("Few Items", "A few items or a single room", 150),
              ("Studio", "Studio apartment", 300), ("1 Bedroom", "1 bedroom apartment", 450),
              ("2 Bedroom Apartment", "2 bedroom apartment", 700),
              ("2 Bedroom House", "2 bedroom house", 900),
              ("3 Bedroom House", "3 bedroom house", 1250),
              ("4 Bedroom House", "4 bedroom house", 1650),
              ("5+ Bedroom House", "5 or more bedrooms", 2200),
              ("Small Office", "Office up to 10 workstations", 1000),
              ("Large Office", "Office over 10 workstations", 2500),
              ("Storage Unit 10x10", "Contents of a 10x10 storage unit", 800))
MATERIALS = (("Small Box", "1.5 cu ft box", 3.95, 1.6, 1.5, 1.0),
             ("Medium Box", "3.0 cu ft box", 4.95, 2.1, 3.0, 1.4),
             ("Large Box", "4.5 cu ft box", 5.95, 2.6, 4.5, 1.8),
             ("Wardrobe Box", "Wardrobe box with hanging bar", 19.95, 9.5, 10.0, 5.0),
             ("Dish Pack", "Double-wall dish pack", 11.95, 5.2, 5.2, 3.0),
             ("TV Box", "Adjustable TV box up to 70 in", 39.95, 18.0, 6.0, 6.0),
             ("Mattress Bag", "Queen/King mattress bag", 14.95, 4.1, 0.0, 0.5),
             ("Packing Paper", "Bundle of 200 sheets", 24.95, 11.0, 0.0, 10.0),
             ("Bubble Wrap", "Roll of 50 ft", 19.95, 8.0, 0.0, 2.0),
             ("Packing Tape", "Roll of 55 yd", 4.95, 1.5, 0.0, 0.3))
TARIFFS = ("Local Hourly", "Long Distance", "Flat Rate", "Commercial")
REFERRAL_SOURCES = ("Google", "Yelp", "Facebook", "Instagram", "HomeStars", "Website",
                    "Repeat Customer", "Friend Referral", "Realtor", "Billboard")
OFFICE_ROLES = (("Branch Manager", "Manager"), ("Sales Representative", "Sales"),
                ("Dispatcher", "Dispatcher"))


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(map(str, parts))))


def opportunity_id(seed: int, day: dt.date, n: int) -> str:
    head = uuid.UUID(stable_id(seed, day.isoformat(), n)).hex[:20]
    return str(uuid.UUID(head + f"{day:%Y%m%d}{n:04d}"))


def day_of_opportunity_id(value: str) -> dt.date | None:
    """The day an opportunity id was generated for, if it has the simulator's shape."""
    tail = value.rsplit("-", 1)[-1]
    try:
        return dt.date(int(tail[:4]), int(tail[4:6]), int(tail[6:8]))
    except ValueError:
        return None


def quote_number(day: dt.date, n: int) -> int:
    """Unique like the ids (9 digits at most, so it fits the spec's int32)."""
    return day.toordinal() % 100_000 * 10_000 + n


# --- reference data ------------------------------------------------------------------------


@dataclass(frozen=True)
class SimBranch:
    id: str
    code: str
    name: str
    phone: str
    city: str
    province: str
    country: str
    tz: ZoneInfo
    street: str
    postal_code: str
    lat: float
    lng: float


@dataclass(frozen=True)
class Catalogue:
    """Reference data; everything but branches is already in the API's JSON shape."""

    branches: tuple[SimBranch, ...]
    service_types: tuple[Json, ...]
    move_sizes: tuple[Json, ...]
    users: tuple[Json, ...]
    tariffs: tuple[Json, ...]
    materials: dict[str, tuple[Json, ...]]
    referral_sources: tuple[Json, ...]


@functools.cache
def load_branch_rows(path: Path = BRANCHES_FILE) -> tuple[Json, ...]:
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def build_catalogue(seed: int, rows: tuple[Json, ...]) -> Catalogue:
    branches = tuple(
        SimBranch(id=stable_id(seed, "branch", r["code"]), code=r["code"], name=r["sm_name"],
                  phone=r["phone"], city=r["city"], province=r["province"],
                  country=r["country"], tz=ZoneInfo(r["timezone"]), street=r["address"],
                  postal_code=r["postal_code"], lat=r["lat"], lng=r["lng"])
        for r in rows
    )
    tariffs: tuple[Json, ...] = tuple(
        {"id": stable_id(seed, "tariff", name), "name": name, "isEnabled": True,
         "appliesToOpportunityTypes": [0, 1, 2], "appliesToBranches": []}
        for name in TARIFFS
    )
    return Catalogue(
        branches=branches,
        service_types=tuple(
            {"id": int(type_id), "name": name, "scalingFactorPercentage": 100,
             "hasActivityLoading": True, "hasActivityFinishedLoading": True,
             "hasActivityUnloading": type_id not in ONE_ADDRESS_JOB_TYPES, "order": order}
            for order, (type_id, name) in enumerate(JOB_TYPE_NAMES.items())
        ),
        move_sizes=tuple(
            {"id": stable_id(seed, "move-size", name), "name": name, "description": description,
             "volume": volume, "weight": volume * 7.0}
            for name, description, volume in MOVE_SIZES
        ),
        users=_office_users(seed, branches),
        tariffs=tariffs,
        materials={t["id"]: _materials(seed, t, factor=1 + 0.1 * i)
                   for i, t in enumerate(tariffs)},
        referral_sources=tuple(
            {"id": stable_id(seed, "referral", name), "name": name,
             "isLeadProvider": name in ("HomeStars", "Yelp"), "isPublic": True}
            for name in REFERRAL_SOURCES
        ),
    )


def _office_users(seed: int, branches: tuple[SimBranch, ...]) -> tuple[Json, ...]:
    rng = random.Random(f"{seed}:users")
    staff = [(branch, title, role) for branch in branches for title, role in OFFICE_ROLES]
    staff += [(branches[0], "Operations Director", "Administrator")] * 4
    users = []
    for n, (branch, title, role) in enumerate(staff):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append({
            "id": stable_id(seed, "user", n), "name": f"{first} {last}", "title": title,
            "email": f"{first}.{last}.{n}@example.com".lower(),
            "primaryBranch": {"id": branch.id, "name": branch.name},
            "role": {"id": stable_id(seed, "role", role), "name": role},
        })
    return tuple(users)


def _materials(seed: int, tariff: Json, factor: float) -> tuple[Json, ...]:
    return tuple(
        {"id": stable_id(seed, "material", tariff["id"], name), "name": name,
         "description": description, "rate": round(rate * factor, 2),
         "cost": round(cost * factor, 2), "volume": volume, "weight": weight,
         "packTimeInMinutes": 10, "unpackTimeInMinutes": 5, "carrierPackShortCode": 0,
         "packByOwnerShortCode": 0, "sortOrder": order}
        for order, (name, description, rate, cost, volume, weight) in enumerate(MATERIALS)
    )


# --- opportunities -------------------------------------------------------------------------


@dataclass
class SimJob:
    id: str
    number: str
    day: dt.date
    type: int
    confirmed: bool
    addresses: list[str]
    charges: list[Json]
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    #: Premium job view: as the office typed it (None: `arrivalWindow: null`).
    arrival_window: str | None = None
    #: The stops as served; None: one per address, access notes drawn from the job's id.
    stops: list[Json] | None = None
    materials: list[Json] = field(default_factory=list)


@dataclass
class SimOpportunity:
    id: str
    quote_number: int
    status: int
    service_date: dt.date
    branch: SimBranch
    customer_id: str
    customer_name: str
    customer_phone: str
    customer_email: str
    move_size: Json
    referral_source: str
    tariff: Json
    final_total: float
    tax_rate: float
    jobs: list[SimJob] = field(default_factory=list)
    #: Awkward live shapes: `estimatedCharges: []` on every job, `estimatedTotal: null`.
    empty_charges: bool = False
    null_total: bool = False
    #: `/api/premium/opportunities/{id}/inventory` (None: 400 "Inventory not found").
    inventory: Json | None = None
    #: `payments` of the details (`IncludePayments=true`).
    payments: list[Json] = field(default_factory=list)


def generate_day(catalogue: Catalogue, seed: int, day: dt.date,
                 job_count: int | None = None) -> list[SimOpportunity]:
    """`job_count` jobs (default: 150-250); each status and job type at least once (the first
    ones of the day), so a count needs at least MIN_JOBS_PER_DAY."""
    rng = random.Random(f"{seed}:{day.isoformat()}")
    job_count = rng.randint(150, 250) if job_count is None else job_count
    job_types = _every_then_weighted(rng, JOB_TYPE_WEIGHTS, job_count)
    statuses = _every_then_weighted(rng, STATUS_WEIGHTS, job_count)
    opportunities: list[SimOpportunity] = []
    while job_types:
        take = 2 if len(job_types) > 1 and rng.random() < 0.2 else 1
        n = len(opportunities)
        opportunities.append(
            make_opportunity(catalogue, rng, seed, day, n, statuses[n], job_types[:take]))
        del job_types[:take]
    return opportunities


def _every_then_weighted(rng: random.Random, weights: dict[Any, int], count: int) -> list[Any]:
    keys = list(weights)
    return rng.sample(keys, len(keys)) + rng.choices(keys, list(weights.values()),
                                                     k=count - len(keys))


def make_opportunity(catalogue: Catalogue, rng: random.Random, seed: int, day: dt.date, n: int,
                     status: int, job_types: list[int]) -> SimOpportunity:
    """The n-th opportunity of a day (n < 10,000)."""
    opp_id = opportunity_id(seed, day, n)
    quote = quote_number(day, n)
    branch = rng.choice(catalogue.branches)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    area = branch.phone[1:4]
    jobs = [_make_job(rng, opp_id, f"{quote}-{k}", day, branch, status, job_type)
            for k, job_type in enumerate(job_types, 1)]
    tax_rate = TAX_RATES.get(branch.province, 0.05) if branch.country == "CA" else 0.0
    subtotal = sum(charge["totalCost"] for job in jobs for charge in job.charges)
    final_total = round(subtotal * (1 + tax_rate), 2)
    return SimOpportunity(
        id=opp_id, quote_number=quote, status=int(status), service_date=day, branch=branch,
        customer_id=stable_id(opp_id, "customer"), customer_name=f"{first} {last}",
        customer_phone=f"({area}) 555-{rng.randint(0, 9999):04d}",
        customer_email=f"{first}.{last}{rng.randint(1, 99)}@example.com".lower(),
        move_size=rng.choice(catalogue.move_sizes),
        referral_source=rng.choice(REFERRAL_SOURCES),
        tariff=catalogue.tariffs[0],
        final_total=final_total, tax_rate=tax_rate, jobs=jobs, inventory=site.inventory(opp_id),
        payments=site.payments(opp_id, final_total, status in DONE_STATUSES) if status not in LEAD_STATUSES else [],
    )


def _make_job(rng: random.Random, opp_id: str, number: str, day: dt.date, branch: SimBranch,
              status: int, job_type: int) -> SimJob:
    hours = rng.choice((2, 3, 3.5, 4, 5, 6, 8))
    crew_rate = rng.choice((139, 159, 179, 199, 229))
    job = SimJob(
        id=stable_id(opp_id, "job", number), number=number, day=day, type=int(job_type),
        confirmed=status in DONE_STATUSES
        or (status == OpportunityStatus.BOOKED and rng.random() < 0.85),
        addresses=_addresses(rng, branch, job_type),
        charges=_charges(rng, job_type, hours, crew_rate),
        materials=site.materials(stable_id(opp_id, "job", number), job_type in PACKING_JOB_TYPES),
    )
    if status in LEAD_STATUSES:
        return job
    local_start = dt.datetime.combine(
        day, dt.time(rng.choice((7, 8, 9, 10, 12, 13)), rng.choice((0, 30))), tzinfo=branch.tz)
    job.start = local_start.astimezone(dt.UTC)
    job.end = job.start + dt.timedelta(hours=hours)
    job.arrival_window = site.arrival_window(job.id, job.start, branch.tz)
    if job.confirmed:
        job.confirmed_at = job.start - dt.timedelta(days=rng.randint(1, 14),
                                                    seconds=rng.randint(0, 36_000),
                                                    microseconds=rng.randint(0, 999_999))
    if status in DONE_STATUSES:
        job.completed_at = job.end + dt.timedelta(minutes=rng.randint(5, 90),
                                                  microseconds=rng.randint(0, 999_999))
    if status == OpportunityStatus.CLOSED:
        job.closed_at = job.end + dt.timedelta(hours=rng.randint(12, 48))
    return job


def _addresses(rng: random.Random, branch: SimBranch, job_type: int) -> list[str]:
    """Origin first; none for some jobs, one for single-site work, a stop now and then."""
    if rng.random() < 0.04:
        return []
    count = 1 if job_type in ONE_ADDRESS_JOB_TYPES else 3 if rng.random() < 0.1 else 2
    return [_address(rng, branch) for _ in range(count)]


def _address(rng: random.Random, branch: SimBranch) -> str:
    postal = branch.postal_code
    if branch.country == "CA":
        postal = f"{postal[:3]} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}" \
                 f"{rng.randint(0, 9)}"
    return f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {branch.city}, {branch.province} {postal}"


def _charges(rng: random.Random, job_type: int, hours: float, crew_rate: int) -> list[Json]:
    charges = [("Moving Labor", 1, f"{hours} hours at ${crew_rate}/h", hours * crew_rate),
               ("Travel Time", 5, "Flat travel fee", float(crew_rate)),
               ("Fuel Surcharge", 6, "Fuel surcharge", rng.choice((25.0, 35.0, 45.0)))]
    if job_type in PACKING_JOB_TYPES:
        charges.append(("Packing Materials", 3, "Boxes, tape and paper",
                        float(rng.randint(80, 400))))
    return [{"name": name, "chargeCategory": category, "description": description,
             "editableDescription": description, "sortOrder": order,
             "subtotal": round(float(total), 2), "discountAmount": 0.0,
             "totalCost": round(float(total), 2)}
            for order, (name, category, description, total) in enumerate(charges)]
