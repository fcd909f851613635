"""The journey search box through the API (issue 19): `GET /api/journeys?q=...` over real HTTP
with the auditor's token (the whole company: the widest scope) and the dispatcher's (one
branch), for three kinds of term taken from the data itself — part of a customer's name, a job
number and part of a phone number. p50/p95 of `requests` after `warmup`, per term and role."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from sqlalchemy import select

from bench.api_latency import _principals, _time_api
from bench.report import Figure, at_most, percentile, reported
from db.enums import DataSource, Role
from db.models import Journey
from db.session import dispose_engine, init_engine
from domain.access.tokens import issue_token
from domain.unit_of_work import read_session

SECTION = "search"
#: The issue's target: p95 under 50 ms through the API at 730,000 journeys (`--scale 10`).
P95_TARGET_MS = 50.0
ROLES = (Role.AUDITOR, Role.DISPATCHER)


@dataclass(frozen=True, slots=True)
class Searched:
    kind: str
    term: str
    role: Role
    samples: list[float]
    total: int


async def _terms() -> dict[str, str]:
    """A name fragment (first name and the start of the last), a job number and the last six
    digits of a phone, all of one SmartMoving journey in the middle of the data."""
    async with read_session() as session:
        count = await session.scalar(select(Journey.id).order_by(Journey.id.desc()).limit(1)) or 1
        row = (await session.execute(
            select(Journey.customer_name, Journey.job_number, Journey.customer_phone)
            .where(Journey.data_source == DataSource.SMARTMOVING, Journey.id >= count // 2)
            .order_by(Journey.id).limit(1))).one()
    first, last = row.customer_name.split(" ", 1)
    digits = "".join(c for c in row.customer_phone if c.isdigit())
    return {"name fragment": f"{first} {last[:3]}", "job number": row.job_number,
            "phone fragment": f"{digits[-7:-4]}-{digits[-4:]}"}


async def measure(base_url: str, database_url: str, accounts: dict[Role, str], *, requests: int,
                  warmup: int) -> list[Searched]:
    init_engine(database_url)
    try:
        principals = await _principals({role: accounts[role] for role in ROLES})
        terms = await _terms()
    finally:
        await dispose_engine()
    return _time_searches(base_url, [(role, issue_token(principals[role])[0]) for role in ROLES], terms,
                          requests, warmup)


def _time_searches(base_url: str, tokens: list[tuple[Role, str]], terms: dict[str, str], requests: int,
                   warmup: int) -> list[Searched]:
    results = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for role, token in tokens:
            for kind, term in terms.items():
                path = "/api/journeys?" + urlencode({"q": term})
                samples, _items = _time_api(client, path, token, requests, warmup)
                total = client.get(path, headers={"Authorization": f"Bearer {token}"}).json()["data"]["total"]
                results.append(Searched(kind, term, role, samples, total))
    return results


def figures(results: list[Searched]) -> list[Figure]:
    out: list[Figure] = []
    for r in results:
        name = f"{r.kind} {r.term!r} as {r.role.value.lower()} ({r.total} found)"
        out.append(reported(SECTION, f"{name}, p50", percentile(r.samples, 0.5), "ms"))
        out.append(at_most(SECTION, f"{name}, p95", percentile(r.samples, 0.95), "ms", P95_TARGET_MS))
    return out
