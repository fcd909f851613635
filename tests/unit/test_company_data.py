"""The company-scale benchmark's data generator, at a tiny volume: it makes what it claims."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from bench.company_data import ACCOUNTS, BOARD_BRANCH, Volume, day_plan, generate, split
from db.enums import Phase
from db.session import sync_url
from domain.timewindow import today_in
from tests.db_support import empty_tables

pytestmark = pytest.mark.postgres_only

VOLUME = Volume(jobs_per_day=30, days=4, board_jobs=12)


@pytest.fixture(scope="module")
def generated(database_url: str):  # type: ignore[no-untyped-def]
    """Generated once for the module into the emptied test database (the next `db` empties it again)."""
    empty_tables(database_url)
    engine = create_engine(sync_url(database_url))
    data = generate(engine, VOLUME, password_hash="not-a-real-hash")
    with engine.connect() as conn:
        yield data, conn
    engine.dispose()


def test_split_and_plan_add_up() -> None:
    assert split(10, [1.0, 1.0, 1.0]) == [4, 3, 3]
    assert sum(split(2000, [random.random() for _ in range(66)])) == 2000
    plan = day_plan(66, 20, Volume(), random.Random(1))
    assert sorted(plan) == list(range(-363, 2))
    assert {sum(counts) for counts in plan.values()} == {200}
    assert plan[0][20] == 100


def test_every_day_has_its_jobs_and_the_board_branch_its_busy_today(generated) -> None:  # type: ignore[no-untyped-def]
    data, conn = generated
    rows = conn.execute(text("SELECT l.timezone, l.code, j.journey_date, count(*) FROM journeys j "
                             "JOIN locations l ON l.id = j.location_id GROUP BY 1, 2, 3")).all()
    per_offset: dict[int, int] = {}
    for timezone, code, day, count in rows:
        offset = (day - today_in(timezone)).days
        per_offset[offset] = per_offset.get(offset, 0) + count
        if code == BOARD_BRANCH and offset == 0:
            assert count == VOLUME.board_jobs
    assert per_offset == {offset: VOLUME.jobs_per_day for offset in range(2 - VOLUME.days, 2)}
    assert data.journeys == VOLUME.jobs_per_day * VOLUME.days
    assert data.locations == 66
    assert conn.scalar(text("SELECT count(DISTINCT timezone) FROM locations")) > 10
    emails = set(conn.scalars(text("SELECT email FROM users")))
    assert set(ACCOUNTS.values()) <= emails


def test_six_steps_per_journey_consistent_with_its_progress(generated) -> None:  # type: ignore[no-untyped-def]
    data, conn = generated
    assert data.steps == 6 * data.journeys
    phases = [p.value for p in Phase]
    rows = conn.execute(text(
        "SELECT j.status, j.progress, array_agg(s.phase ORDER BY s.position),"
        " array_agg(s.position ORDER BY s.position),"
        " count(*) FILTER (WHERE s.status IN ('COMPLETED', 'APPROVED')),"
        " count(*) FILTER (WHERE s.status = 'IN_PROGRESS') "
        "FROM journeys j JOIN journey_steps s ON s.journey_id = j.id GROUP BY j.id")).all()
    assert len(rows) == data.journeys
    for status, progress, step_phases, positions, done, in_progress in rows:
        assert step_phases == phases and positions == [1, 2, 3, 4, 5, 6]
        assert done == round(progress * 6 / 100)
        assert in_progress == (0 if status in ("COMPLETED", "AUDITED", "CANCELLED") else 1)


def test_nobody_and_no_truck_is_double_booked(generated) -> None:  # type: ignore[no-untyped-def]
    data, conn = generated
    assert data.crew_assignments == conn.scalar(text("SELECT count(*) FROM crew_assignments")) > 0
    overlapping = """
        SELECT count(*) FROM {table} a JOIN {table} b ON a.{key} = b.{key} AND a.journey_id < b.journey_id
        JOIN journeys ja ON ja.id = a.journey_id JOIN journeys jb ON jb.id = b.journey_id
        WHERE ja.status <> 'CANCELLED' AND jb.status <> 'CANCELLED'
          AND ja.scheduled_start < jb.scheduled_end AND jb.scheduled_start < ja.scheduled_end"""
    assert conn.scalar(text(overlapping.format(table="crew_assignments", key="user_id"))) == 0
    trucks = "(SELECT id AS journey_id, truck_id FROM journeys WHERE truck_id IS NOT NULL)"
    assert conn.scalar(text(overlapping.format(table=trucks, key="truck_id"))) == 0
    # Two per journey with a truck, none without one; jobs awaiting a crew only today and tomorrow.
    crews = conn.execute(text("SELECT j.truck_id IS NULL, count(c.id) FROM journeys j "
                              "LEFT JOIN crew_assignments c ON c.journey_id = j.id GROUP BY j.id")).all()
    assert {(no_truck, n) for no_truck, n in crews} == {(False, 2), (True, 0)}
    earliest_unassigned: date | None = conn.scalar(
        text("SELECT min(journey_date) FROM journeys WHERE truck_id IS NULL"))
    assert earliest_unassigned is not None and earliest_unassigned >= date.today() - timedelta(days=1)
