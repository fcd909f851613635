"""Journeys planted in the demo data for the search tests: one far from the dispatcher's branches
and one in them, a month ago, with contacts no demo journey has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from db.enums import DataSource, JourneyStatus
from db.models import Journey, Location
from domain.access.rbac import Principal
from domain.access.tokens import issue_token
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.principals import principal_for

EMAILS = {role: f"{role}@demo.ccrm" for role in
          ("superadmin", "admin", "manager", "dispatcher", "driver", "mover", "auditor")}


async def headers_for(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(await principal_for(EMAILS[role]))[0]}"}


@dataclass(frozen=True)
class Planted:
    #: In a branch of no manager's or dispatcher's (outside the dispatcher's scope).
    elsewhere: int
    elsewhere_location: int
    #: In the dispatcher's first branch.
    inside: int
    inside_location: int
    day: date
    dispatcher: Principal


async def plant() -> Planted:
    dispatcher = await principal_for(EMAILS["dispatcher"])
    manager = await principal_for(EMAILS["manager"])
    desk = dispatcher.scoped_location_ids | manager.scoped_location_ids
    async with read_session() as s:
        inside = await s.scalar(select(Location).where(Location.id == min(dispatcher.scoped_location_ids)))
        other = await s.scalar(select(Location).where(Location.id.not_in(sorted(desk))).order_by(Location.id))
    assert inside is not None and other is not None
    day = today_in(inside.timezone) - timedelta(days=30)
    async with unit_of_work() as s:
        far = Journey(company_id=other.company_id, location_id=other.id, journey_date=day,
                      status=JourneyStatus.COMPLETED, data_source=DataSource.SMARTMOVING, job_number="778899-1",
                      external_id="planted-far", external_data={"customer_id": "cust-planted-far"},
                      customer_name="Zebulon Quartzfield", customer_phone="+1 (905) 555-0142",
                      customer_email="zebulon.q@example.test", origin_address="12 Faraway Rd",
                      estimated_value=Decimal("1234.50"),
                      scheduled_start=datetime(day.year, day.month, day.day, 13, 0),
                      scheduled_end=datetime(day.year, day.month, day.day, 17, 0))
        near = Journey(company_id=inside.company_id, location_id=inside.id, journey_date=day,
                       status=JourneyStatus.COMPLETED, data_source=DataSource.MANUAL,
                       customer_name="=HYPERLINK(\"http://evil.test\")", customer_phone="+1 416 555 0177",
                       customer_email="near.customer@example.test", origin_address="1 Near St",
                       notes="Piano on the second floor",
                       estimated_value=Decimal("999.00"))
        s.add_all([far, near])
        await s.flush()
        ids = far.id, near.id
    return Planted(ids[0], other.id, ids[1], inside.id, day, dispatcher)
