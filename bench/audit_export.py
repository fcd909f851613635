"""Benchmark: the audit trail at volume — paged reads and the CSV export at its row limit.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_audit \\
        python -m bench.audit_export [rows]

Loads `rows` audit entries (default 60,000: more than EXPORT_ROW_LIMIT) into a scratch
database (dropped and migrated first), then prints how long the list pages and the export take.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from db.enums import Role
from db.models import AuditEntry, Company, User
from db.session import dispose_engine, init_engine
from domain.audit.log import EXPORT_ROW_LIMIT, AuditFilters, export_audit_csv, list_audit_entries
from domain.access.rbac import Principal, principal_of
from domain.unit_of_work import unit_of_work
from tests.db_support import ensure_database, reset_schema

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_audit")
ENTITIES = ("journey", "user", "truck", "location")
ACTIONS = ("create", "update", "complete_phase", "assign_crew")


async def _load(rows: int) -> Principal:
    """The company's auditor, after loading `rows` entries of its trail."""
    async with unit_of_work() as session:
        company = Company(name="Bench Movers")
        session.add(company)
        await session.flush()
        auditor = User(company_id=company.id, email="auditor@bench.test", password_hash="-", full_name="Auditor",
                       role=Role.AUDITOR, location_links=[])
        session.add(auditor)
        await session.flush()
        start = datetime.now(UTC) - timedelta(days=30)
        batch = [
            {"company_id": company.id, "user_id": None, "actor_email": f"user{i % 50}@bench.test",
             "action": ACTIONS[i % 4], "entity": ENTITIES[i % 4], "entity_id": str(i),
             "old_values": {"status": "SCHEDULED"}, "new_values": {"status": "EN_ROUTE", "note": "x" * 40},
             "at": start + timedelta(seconds=i * 40), "ip": "10.0.0.1"}
            for i in range(rows)
        ]
        for offset in range(0, rows, 10_000):
            await session.execute(insert(AuditEntry), batch[offset:offset + 10_000])
        principal = principal_of(auditor)
    async with unit_of_work() as session:
        await session.execute(text("ANALYZE audit_entries"))
    return principal


async def _timed(label: str, coro) -> object:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = await coro
    print(f"{label:<48} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return result


async def main(rows: int) -> None:
    ensure_database(URL)
    reset_schema(URL)
    init_engine(URL)
    try:
        started = time.perf_counter()
        auditor = await _load(rows)
        print(f"loaded {rows:,} audit entries in {time.perf_counter() - started:.1f} s")
        await _timed("list page 1 (25 rows, no filter)", list_audit_entries(auditor))
        await _timed("list page 1 (entity=journey)", list_audit_entries(auditor, AuditFilters(entity="journey")))
        await _timed("list page 500 (25 rows)", list_audit_entries(auditor, page=500))
        await _timed("list page 1 (actor contains 'user7')", list_audit_entries(auditor, AuditFilters(actor="user7")))
        export = await _timed(f"CSV export (limit {EXPORT_ROW_LIMIT:,})", export_audit_csv(auditor))
        print(f"export: {export.rows:,} rows, truncated={export.truncated}, "  # type: ignore[attr-defined]
              f"{len(export.content.encode()) / 1e6:.1f} MB")  # type: ignore[attr-defined]
    finally:
        await dispose_engine()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60_000))
