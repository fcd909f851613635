"""Job-query API latency per role, and the same SQL executed raw through psycopg.

For each endpoint and role: `requests` GETs over real HTTP to the served app (after `warmup`
ones) with that role's bearer token, timed at the client. In the same run, the SQL statements
that request path issues (the principal's load, then the route's domain call, captured in this
process with SQLAlchemy's `before_cursor_execute`, parameters included) are replayed as many
times on one plain psycopg connection, each request's statements then a rollback, as SQLAlchemy
does. The ratio of the two medians is what the app adds on top of the database.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

from api.journeys.edit import DEFAULT_PAGE_SIZE
from bench.procstat import cpu_seconds
from bench.report import Figure, at_most, percentile, reported
from bench.seeding import Statement, record_sql
from db.dedicated import libpq_url
from db.enums import Role
from db.models import User
from db.session import dispose_engine, get_engine, init_engine
from domain.access.rbac import PERMISSIONS, Permission, Principal, load_principal
from domain.access.tokens import issue_token
from domain.board.views import active_journeys
from domain.sync.views import ListFilters, Window, journey_list
from domain.unit_of_work import read_session

SECTION = "api"
#: The issue's targets: p95 under 50 ms at scale 1, under twice that at scale 10.
P95_TARGET_MS = {1: 50.0, 10: 100.0}
MAX_RATIO_TO_RAW = 3.0


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    path: str
    #: What the route does with the principal (same arguments as the route's defaults).
    call: Callable[[Principal], Awaitable[Any]]
    roles: tuple[Role, ...]


ENDPOINTS = (
    Endpoint("journey/active", "/api/journey/active",
             lambda p: active_journeys(p, page=1, page_size=DEFAULT_PAGE_SIZE), tuple(Role)),
    Endpoint("smartmoving/jobs/today", "/api/smartmoving/jobs/today",
             lambda p: journey_list(p, Window.TODAY, ListFilters(), smartmoving_only=True),
             tuple(r for r in Role if Permission.VIEW_SMARTMOVING_DATA in PERMISSIONS[r])),
)


@dataclass(frozen=True, slots=True)
class Measured:
    endpoint: str
    role: Role
    api_ms: list[float]
    raw_ms: list[float]
    statements: int
    items: int
    #: The app's CPU time per timed request (None when its process is not known).
    cpu_ms: float | None = None


async def _principals(emails: dict[Role, str]) -> dict[Role, Principal]:
    async with read_session() as session:
        ids = dict((await session.execute(select(User.email, User.id).where(User.email.in_(emails.values())))).all())
        found = {role: await load_principal(session, ids[email]) for role, email in emails.items()}
    return {role: p for role, p in found.items() if p is not None}


async def _request_sql(endpoint: Endpoint, principal: Principal) -> list[Statement]:
    """The statements of one request: `current_principal`'s load, then the route's call."""
    with record_sql(get_engine()) as statements:
        async with read_session() as session:
            await load_principal(session, principal.user_id)
        await endpoint.call(principal)
    return statements


def _time_api(client: httpx.Client, path: str, token: str, requests: int, warmup: int) -> tuple[list[float], int]:
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[float] = []
    items = 0
    for n in range(warmup + requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        if n >= warmup:
            samples.append(elapsed)
        else:
            items = len(response.json()["data"]["items"])
    return samples, items


def _time_raw(conn: psycopg.Connection, statements: Sequence[Statement], requests: int,
              warmup: int) -> list[float]:
    samples: list[float] = []
    for n in range(warmup + requests):
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        conn.rollback()
        if n >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


async def measure(base_url: str, database_url: str, accounts: dict[Role, str], *, requests: int,
                  warmup: int, app_pid: int | None = None) -> list[Measured]:
    """Every endpoint for every role it serves, API then raw SQL, back to back. With `app_pid`,
    the app's CPU time per request too (utime + stime over the timed requests): less at the
    mercy of other processes on a shared machine than the wall-clock figures."""
    init_engine(database_url)
    try:
        principals = await _principals(accounts)
        plans = [(e, role, await _request_sql(e, principals[role])) for e in ENDPOINTS for role in e.roles]
    finally:
        await dispose_engine()
    results = []
    with httpx.Client(base_url=base_url, timeout=30) as client, psycopg.connect(libpq_url(database_url)) as conn:
        for endpoint, role, statements in plans:
            token, _ = issue_token(principals[role])
            _, items = _time_api(client, endpoint.path, token, 0, max(warmup, 1))
            cpu_before = cpu_seconds(app_pid) if app_pid else 0.0
            api_ms, _ = _time_api(client, endpoint.path, token, requests, 0)
            cpu_ms = (cpu_seconds(app_pid) - cpu_before) * 1000 / requests if app_pid else None
            raw_ms = _time_raw(conn, statements, requests, warmup)
            results.append(Measured(endpoint.name, role, api_ms, raw_ms, len(statements), items, cpu_ms))
    return results


def figures(results: Sequence[Measured], scale: int) -> list[Figure]:
    limit = P95_TARGET_MS.get(scale)
    out: list[Figure] = []
    for m in results:
        label = f"{m.endpoint} {m.role.value}"
        api50, api95 = percentile(m.api_ms, 0.5), percentile(m.api_ms, 0.95)
        raw50, raw95 = percentile(m.raw_ms, 0.5), percentile(m.raw_ms, 0.95)
        out += [
            reported(SECTION, f"{label} p50", api50, "ms"),
            at_most(SECTION, f"{label} p95", api95, "ms", limit) if limit else reported(
                SECTION, f"{label} p95", api95, "ms"),
            reported(SECTION, f"{label} raw SQL p50", raw50, "ms"),
            reported(SECTION, f"{label} raw SQL p95", raw95, "ms"),
            at_most(SECTION, f"{label} API/raw p50", api50 / raw50, "x", MAX_RATIO_TO_RAW),
        ]
        if m.cpu_ms is not None:
            out.append(reported(SECTION, f"{label} app CPU per request", m.cpu_ms, "ms"))
    return out
