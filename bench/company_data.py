"""Company-scale data for the benchmarks, on PostgreSQL: one company with the 66 branches of
`demo_data/branches.json` (each in its own IANA time zone), trucks, users of every role, and a
year of journeys up to each branch's tomorrow at 200 a day (≈ 73,000), with their six steps and
their crews. `--scale N` multiplies the jobs per day (and so the trucks and crews).

    data = ensure_company_data(url, scale=10)     # ≈ 730,000 journeys, 4.4 million steps

The journeys, steps and crew assignments are written by three INSERT ... SELECT statements over
`generate_series` (the ORM only writes the few thousand rows of company, branches, trucks and
people). The database is reused while its marker row (`bench_dataset`) says it holds the same
scale generated on the branches' same local days; otherwise its schema is dropped, migrated to
head (`db.migrate.upgrade_to_head`, the real schema) and filled again.

Shape: every day has exactly `jobs_per_day` journeys, split over the branches by weight; on its
today the board branch has exactly `board_jobs` of them. Each truck runs four three-hour slots a
day with a fixed driver and mover, so no truck or person is ever double-booked. Past journeys are
audited or completed, a few cancelled and a few never closed; today's are in every phase,
tomorrow's scheduled; 85 % come from SmartMoving; on today and tomorrow every tenth job awaits
its truck and crew.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bench.seeding import SLOTS, UNASSIGNED_EVERY
from db.enums import CrewRole, LocationLinkKind, Phase, Role
from db.migrate import upgrade_to_head
from db.models import Company, Location, PhaseItemTemplate, Truck, User, UserLocation
from db.seed import FIRST_NAMES, LAST_NAMES, SERVICES, SIZES, STREETS, Branch, all_branches
from db.session import sync_url
from db.workflow_defaults import DEFAULT_TEMPLATE, PHASE_STATUS
from domain.access.passwords import hash_password
from domain.timewindow import today_in
from tests.db_support import ensure_database
from tests.e2e.live_server import blank_database

COMPANY_NAME = "Bench Moving Co"
DOMAIN = "bench.ccrm"
PASSWORD = "Bench-Pass-2026"
JOBS_PER_DAY = 200
#: From each branch's today − 363 to its tomorrow: 365 days, 73,000 journeys at scale 1.
DAYS = 365
BOARD_JOBS = 100
#: The branch whose dispatcher the board and API benchmarks sign in as.
BOARD_BRANCH = "TORONTO_DOWNTOWN"
#: One account of each role (crew: the board branch's first truck); dispatcher@ works at the board branch.
ACCOUNTS: dict[Role, str] = {role: f"{role.value.lower().replace('_', '')}@{DOMAIN}" for role in Role}
#: Branches the manager manages: the board branch and the next ones in the file.
MANAGED_BRANCHES = 3
MARKER_TABLE = "bench_dataset"


@dataclass(frozen=True, slots=True)
class Volume:
    jobs_per_day: int = JOBS_PER_DAY
    days: int = DAYS
    board_jobs: int = BOARD_JOBS

    @classmethod
    def at_scale(cls, scale: int) -> Volume:
        return cls(jobs_per_day=JOBS_PER_DAY * scale)


@dataclass(frozen=True, slots=True)
class CompanyData:
    """What a generation produced (read back from the marker when reused)."""

    company_id: int
    board_location_id: int
    board_day: date
    locations: int
    trucks: int
    users: int
    journeys: int
    steps: int
    crew_assignments: int
    #: Time the generation took, from the empty database to VACUUM ANALYZE (the original one when reused).
    seconds: float = 0.0
    reused: bool = False
    #: Each branch time zone's today when generated: the data is stale once one of them moves on.
    todays: dict[str, str] = field(default_factory=dict)


def split(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders get the rest): sums to `total`."""
    whole = sum(weights)
    exact = [total * w / whole if whole else 0.0 for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def day_plan(branches: int, board: int, volume: Volume, rng: random.Random) -> dict[int, list[int]]:
    """Jobs per branch for each day offset (−days+2 … +1 from the branch's today)."""
    base = [rng.uniform(0.5, 3.0) for _ in range(branches)]
    base[board] = 3.0
    plan: dict[int, list[int]] = {}
    for offset in range(2 - volume.days, 2):
        weights = [b * rng.uniform(0.7, 1.3) for b in base]
        if offset == 0:
            weights[board] = 0.0
            counts = split(volume.jobs_per_day - volume.board_jobs, weights)
            counts[board] = volume.board_jobs
        else:
            counts = split(volume.jobs_per_day, weights)
        plan[offset] = counts
    return plan


def _people(company_id: int, locations: list[Location], trucks: dict[int, list[Truck]], board: Location,
            password_hash: str) -> tuple[list[User], list[tuple[User, Truck, CrewRole]]]:
    """The ACCOUNTS, a dispatcher per branch, and a driver and a mover per truck (its crew)."""

    def user(role: Role, email: str, name: str, kind: LocationLinkKind | None = None, *locs: Location) -> User:
        return User(company_id=None if role is Role.SUPER_ADMIN else company_id, email=email,
                    password_hash=password_hash, full_name=name, role=role,
                    location_links=[UserLocation(location_id=loc.id, kind=kind) for loc in locs])

    at = locations.index(board)
    managed = (locations[at:] + locations[:at])[:MANAGED_BRANCHES]
    users = [
        user(Role.SUPER_ADMIN, ACCOUNTS[Role.SUPER_ADMIN], "Bench Super Admin"),
        user(Role.ADMIN, ACCOUNTS[Role.ADMIN], "Bench Admin"),
        user(Role.AUDITOR, ACCOUNTS[Role.AUDITOR], "Bench Auditor"),
        user(Role.MANAGER, ACCOUNTS[Role.MANAGER], "Bench Manager", LocationLinkKind.MANAGED, *managed),
    ]
    for loc in locations:
        email = ACCOUNTS[Role.DISPATCHER] if loc is board else f"dispatcher.{loc.code.lower()}@{DOMAIN}"
        users.append(user(Role.DISPATCHER, email, f"Dispatcher {loc.name}", LocationLinkKind.ASSIGNED, loc))
    crew: list[tuple[User, Truck, CrewRole]] = []
    rng = random.Random(7)
    for loc in locations:
        for truck in trucks[loc.id]:
            for role in (Role.DRIVER, Role.MOVER):
                email = (ACCOUNTS[role] if truck is trucks[board.id][0]
                         else f"{role.value.lower()}.{truck.number.lower()}@{DOMAIN}")
                member = user(role, email, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                              LocationLinkKind.ASSIGNED, loc)
                users.append(member)
                crew.append((member, truck, CrewRole(role.value)))
    return users, crew


_JOURNEYS = """
WITH s AS (
    SELECT p.location_id, p.day, p.offset_days, g.n, l.timezone, l.city, l.province,
           row_number() OVER (ORDER BY p.day, p.location_id, g.n) AS seq
    FROM bench_plan p JOIN locations l ON l.id = p.location_id
    CROSS JOIN LATERAL generate_series(0, p.jobs - 1) AS g(n)
), r AS (
    SELECT s.*, (hashint8(seq * 8 + 1)::bigint + 2147483648) / 4294967296.0 AS r1,
           (hashint8(seq * 8 + 2)::bigint + 2147483648) / 4294967296.0 AS r2,
           (hashint8(seq * 8 + 3)::bigint + 2147483648) / 4294967296.0 AS r3,
           (hashint8(seq * 8 + 4)::bigint + 2147483648) / 4294967296.0 AS r4,
           abs(hashint8(seq * 8 + 5)::bigint) AS h
    FROM s
), d AS (
    SELECT r.*,
           CASE WHEN offset_days < 0 THEN r1 < 0.04 WHEN offset_days = 0 THEN r1 < 0.03 ELSE r1 < 0.02 END
               AS cancelled,
           CASE WHEN offset_days < 0 AND r1 >= 0.045 THEN 6
                WHEN offset_days < 0 THEN floor(r2 * 3)::int
                WHEN offset_days = 0 AND r1 >= 0.03 THEN floor(r2 * 7)::int
                ELSE 0 END AS done,
           offset_days >= 0 AND mod(n, :unassigned_every) = :unassigned_every - 1 AS unassigned,
           r4 < 0.85 AS synced,
           ((day + make_interval(hours => 7 + 3 * mod(n, :slots))) AT TIME ZONE timezone) AS starts
    FROM r
)
INSERT INTO journeys (company_id, location_id, journey_date, status, current_phase, progress, truck_id,
                      scheduled_start, scheduled_end, actual_start, actual_end, data_source, external_id,
                      external_data, external_hash, job_number, last_sync_at, sync_status, customer_name,
                      customer_phone, customer_email, origin_address, destination_address, service_type, move_size,
                      estimated_value, confirmed, created_at, updated_at)
SELECT :company, d.location_id, d.day,
       CASE WHEN cancelled THEN 'CANCELLED'
            WHEN done = 6 THEN CASE WHEN r3 < 0.6 THEN 'AUDITED' ELSE 'COMPLETED' END
            ELSE (CAST(:phase_statuses AS text[]))[done + 1] END,
       (CAST(:phases AS text[]))[least(done, 5) + 1], round(done * 100 / 6.0)::int,
       CASE WHEN unassigned THEN NULL ELSE t.truck_id END,
       starts, starts + interval '3 hours',
       CASE WHEN done >= 2 THEN starts END, CASE WHEN done = 6 THEN starts + interval '3 hours' END,
       CASE WHEN synced THEN 'SMARTMOVING' ELSE 'MANUAL' END,
       CASE WHEN synced THEN 'bench-' || seq END,
       CASE WHEN synced THEN jsonb_build_object(
           'opportunity_id', 'bench-opp-' || seq, 'quote_number', 100000 + seq, 'opportunity_status', 10,
           'branch', city, 'job_type', 1,
           'times', jsonb_build_object('start', starts, 'end', starts + interval '3 hours')) END,
       CASE WHEN synced THEN md5(seq::text) END,
       CASE WHEN synced THEN (100000 + seq) || '-1' END,
       CASE WHEN synced THEN least(now(), starts - interval '1 day') END,
       CASE WHEN synced THEN 'SYNCED' ELSE 'NOT_SYNCED' END,
       (CAST(:first_names AS text[]))[1 + mod(h, :first_count)] || ' '
           || (CAST(:last_names AS text[]))[1 + mod(h / 97, :last_count)],
       '+1-416-555-' || lpad(mod(seq, 10000)::text, 4, '0'),
       'customer' || seq || '@example.com',
       (10 + mod(h / 13, 9990)) || ' ' || (CAST(:streets AS text[]))[1 + mod(h / 7, :street_count)]
           || ', ' || city || ', ' || province,
       (10 + mod(h / 17, 9990)) || ' ' || (CAST(:streets AS text[]))[1 + mod(h / 11, :street_count)]
           || ', ' || city || ', ' || province,
       (CAST(:services AS text[]))[1 + mod(h / 19, :service_count)],
       (CAST(:sizes AS text[]))[1 + mod(h / 23, :size_count)],
       600 + mod(h / 29, 8900), offset_days < 0 OR r2 < 0.85,
       least(now(), starts - interval '7 days'), least(now(), starts)
FROM d LEFT JOIN bench_lane t ON t.location_id = d.location_id AND t.lane = d.n / :slots
"""

_STEPS = """
INSERT INTO journey_steps (journey_id, phase, position, status, started_at, completed_at, approved_at)
SELECT j.id, (CAST(:phases AS text[]))[k], k,
       CASE WHEN k <= x.done THEN CASE WHEN j.status = 'AUDITED' OR k < x.done THEN 'APPROVED' ELSE 'COMPLETED' END
            WHEN k = x.done + 1 AND j.status <> 'CANCELLED' THEN 'IN_PROGRESS'
            ELSE 'PENDING' END,
       CASE WHEN k = 1 THEN j.created_at
            WHEN k <= x.done OR (k = x.done + 1 AND j.status <> 'CANCELLED')
                THEN j.scheduled_start + (k - 2) * interval '30 minutes' END,
       CASE WHEN k <= x.done THEN greatest(j.created_at, j.scheduled_start + (k - 2) * interval '30 minutes')
                                  + interval '25 minutes' END,
       CASE WHEN k < x.done OR (k = x.done AND j.status = 'AUDITED') THEN j.scheduled_start + interval '4 hours' END
FROM journeys j CROSS JOIN LATERAL (SELECT round(j.progress * 6 / 100.0)::int AS done) x
CROSS JOIN generate_series(1, 6) AS k
WHERE j.company_id = :company
"""

_CREW = """
INSERT INTO crew_assignments (journey_id, user_id, journey_date, role, assigned_at)
SELECT j.id, c.user_id, j.journey_date, c.role, j.created_at
FROM journeys j JOIN bench_crew c ON c.truck_id = j.truck_id
WHERE j.company_id = :company
"""


def _sql_arrays() -> dict[str, Any]:
    return {
        "phases": [p.value for p in Phase], "phase_statuses": [PHASE_STATUS[p].value for p in Phase],
        "first_names": FIRST_NAMES, "first_count": len(FIRST_NAMES), "last_names": LAST_NAMES,
        "last_count": len(LAST_NAMES), "streets": STREETS, "street_count": len(STREETS),
        "services": SERVICES, "service_count": len(SERVICES), "sizes": SIZES, "size_count": len(SIZES),
        "slots": SLOTS, "unassigned_every": UNASSIGNED_EVERY,
    }


def _board_branch(branches: list[Branch]) -> int:
    return next(i for i, b in enumerate(branches) if b.code == BOARD_BRANCH)


def generate(engine: Engine, volume: Volume, *, password_hash: str, rng_seed: int = 2026) -> CompanyData:
    """Fill an empty, migrated database; one transaction."""
    branches = all_branches()
    board_index = _board_branch(branches)
    plan = day_plan(len(branches), board_index, volume, random.Random(rng_seed))
    with Session(engine) as session, session.begin():
        company = Company(name=COMPANY_NAME, timezone=branches[board_index].timezone)
        session.add(company)
        session.flush()
        session.add_all(PhaseItemTemplate(company_id=company.id, **row) for row in DEFAULT_TEMPLATE)
        locations = [Location(company_id=company.id, name=b.name, code=b.code, timezone=b.timezone,
                              address=b.address, city=b.city, province=b.province, country=b.country,
                              postal_code=b.postal_code, lat=b.lat, lng=b.lng, phone=b.phone) for b in branches]
        session.add_all(locations)
        session.flush()
        trucks = {
            loc.id: [Truck(company_id=company.id, location_id=loc.id, number=f"{loc.code}-{n + 1:03d}", size="26 ft")
                     for n in range(max(1, -(-max(plan[o][i] for o in plan) // SLOTS)))]
            for i, loc in enumerate(locations)
        }
        session.add_all(t for ts in trucks.values() for t in ts)
        session.flush()
        board = locations[board_index]
        users, crew = _people(company.id, locations, trucks, board, password_hash)
        session.add_all(users)
        session.flush()
        conn = session.connection()
        _load_plan(conn, locations, plan)
        _load_lanes(conn, trucks, [(t.id, u.id, role.value) for u, t, role in crew])
        params = {"company": company.id, **_sql_arrays()}
        journeys = conn.execute(text(_JOURNEYS), params).rowcount
        steps = conn.execute(text(_STEPS), params).rowcount
        crew_rows = conn.execute(text(_CREW), params).rowcount
        data = CompanyData(
            company_id=company.id, board_location_id=board.id, board_day=today_in(board.timezone),
            locations=len(locations), trucks=len(crew) // 2, users=len(users), journeys=journeys, steps=steps,
            crew_assignments=crew_rows, todays=_todays(),
        )
    return data


def _load_plan(conn: Connection, locations: list[Location], plan: dict[int, list[int]]) -> None:
    conn.execute(text("CREATE TEMP TABLE bench_plan (location_id int, day date, offset_days int, jobs int) "
                      "ON COMMIT DROP"))
    rows = [(loc.id, today_in(loc.timezone) + timedelta(days=offset), offset, counts[i])
            for offset, counts in plan.items() for i, loc in enumerate(locations) if counts[i]]
    conn.execute(text("INSERT INTO bench_plan SELECT * FROM unnest(CAST(:l AS int[]), CAST(:d AS date[]), "
                      "CAST(:o AS int[]), CAST(:j AS int[]))"),
                 dict(zip("ldoj", map(list, zip(*rows, strict=True)), strict=True)))


def _load_lanes(conn: Connection, trucks: dict[int, list[Truck]], crew: list[tuple[int, int, str]]) -> None:
    """`bench_lane`: a branch's n-th truck; `bench_crew`: each truck's driver and mover."""
    conn.execute(text("CREATE TEMP TABLE bench_lane (location_id int, lane int, truck_id int) ON COMMIT DROP"))
    lanes = [(loc, n, t.id) for loc, ts in trucks.items() for n, t in enumerate(ts)]
    conn.execute(text("INSERT INTO bench_lane SELECT * FROM unnest(CAST(:l AS int[]), CAST(:n AS int[]), "
                      "CAST(:t AS int[]))"), dict(zip("lnt", map(list, zip(*lanes, strict=True)), strict=True)))
    conn.execute(text("CREATE TEMP TABLE bench_crew (truck_id int, user_id int, role text) ON COMMIT DROP"))
    conn.execute(text("INSERT INTO bench_crew SELECT * FROM unnest(CAST(:t AS int[]), CAST(:u AS int[]), "
                      "CAST(:r AS text[]))"), dict(zip("tur", map(list, zip(*crew, strict=True)), strict=True)))


def _todays() -> dict[str, str]:
    return {tz: today_in(tz).isoformat() for tz in sorted({b.timezone for b in all_branches()})}


def _marker(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as conn:
        if conn.scalar(text("SELECT to_regclass(:t)"), {"t": MARKER_TABLE}) is None:
            return None
        return conn.scalar(text(f"SELECT data FROM {MARKER_TABLE}"))


def ensure_company_data(url: str, scale: int, *, regenerate: bool = False) -> CompanyData:
    """The company-scale data at `scale` in the PostgreSQL database at `url`: reused when its
    marker matches (scale and the branches' todays), else generated into an emptied database."""
    ensure_database(url)
    engine = create_engine(sync_url(url))
    try:
        marker = None if regenerate else _marker(engine)
        if marker and marker["scale"] == scale and marker["data"]["todays"] == _todays():
            upgrade_to_head(url)  # a newer migration (an index, say) applies to the kept data
            stored = marker["data"]
            return CompanyData(**{**stored, "board_day": date.fromisoformat(stored["board_day"]), "reused": True})
        engine.dispose()
        started = time.perf_counter()
        blank_database(url)
        upgrade_to_head(url)
        data = generate(engine, Volume.at_scale(scale), password_hash=hash_password(PASSWORD))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            data = replace(data, seconds=round(time.perf_counter() - started, 1))
            conn.execute(text(f"CREATE TABLE {MARKER_TABLE} (data jsonb NOT NULL)"))
            conn.execute(text(f"INSERT INTO {MARKER_TABLE} VALUES (CAST(:d AS jsonb))"),
                         {"d": json.dumps({"scale": scale, "data": asdict(data)}, default=str)})
        return data
    finally:
        engine.dispose()
