"""The super admin's company page shows the write-back in words and retries a failed row."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui.testing import User
from sqlalchemy import select

from db.enums import DataSource, WriteBackKind, WriteBackStatus
from db.models import Journey, WriteBack
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import sign_in
from tests.sync.conftest import company_id, integration, sim, superadmin  # noqa: F401 (fixtures)

REASON = "SmartMoving no longer has this opportunity or job"


async def test_company_page_counts_write_backs_and_retries_a_failed_one(
        integration: dict[str, Any], company_id: int, user: User) -> None:  # noqa: F811
    async with unit_of_work() as session:
        journey = await session.scalar(select(Journey).where(Journey.company_id == company_id).limit(1))
        assert journey is not None
        journey.data_source, journey.job_number = DataSource.SMARTMOVING, "100555-1"
        common = {"company_id": company_id, "integration_id": integration["id"], "journey_id": journey.id,
                  "opportunity_id": "opp-1"}
        failed = WriteBack(kind=WriteBackKind.ATTACHMENT, status=WriteBackStatus.FAILED, last_error=REASON, **common)
        session.add_all([failed, WriteBack(kind=WriteBackKind.NOTE, status=WriteBackStatus.SENT, **common)])
        await session.flush()
        failed_id = failed.id
    await sign_in(user, "superadmin@demo.ccrm")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see("Write-back to SmartMoving")
    await user.should_see("Sent: 1")
    await user.should_see("Failed: 1")
    await user.should_see(f"Last problem: {REASON}")
    await user.should_see(f"Completion report · SM 100555-1 · {journey.customer_name}: {REASON}")
    await user.should_not_see("ATTACHMENT")
    user.find(marker="write-back-retry").click()

    async def queued() -> bool:
        async with read_session() as session:
            row = await session.get(WriteBack, failed_id)
            return row is not None and row.status is WriteBackStatus.QUEUED and row.attempts == 0

    for _ in range(200):  # the click's handler runs as a task
        if await queued():
            break
        await asyncio.sleep(0.05)
    assert await queued()
    await user.should_see("Queued: 1")
    await user.should_see("Failed: 0")
