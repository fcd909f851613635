"""Payroll: hours from clock events, rounding per day and overtime (daily, then weekly) checked
against hours computed by hand, and the CSV (formula-safe) of one branch and period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from db.enums import ClockKind
from db.models import AuditEntry, User
from domain.crew_time.hours import Stamp, journey_hours, paid_days, rounded_minutes
from domain.crew_time.payroll import export_payroll_csv
from domain.crew_time.rules import TimeRules, save_time_rules
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.unit_of_work import read_session, unit_of_work
from tests.crew_time.helpers import journey_on, work_day
from tests.journey_factory import World, make_world

#: A week after the autumn clock change (Toronto is UTC−5 all week).
MONDAY = date(2026, 11, 2)
RULES_8_40 = TimeRules(max_distance_m=500, daily_overtime_after_minutes=480, weekly_overtime_after_minutes=2400,
                       rounding_minutes=15)


def _at(hh_mm: str) -> datetime:
    h, m = map(int, hh_mm.split(":"))
    return datetime(2026, 11, 2, h, m, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "step", "expected"), [
    (590 * 60, 15, 585),           # 9 h 50 → 9 h 45 (5 min under the half)
    (517 * 60, 15, 510),           # 8 h 37 → 8 h 30
    (488 * 60, 15, 495),           # 8 h 08 → 8 h 15 (8 min: past the half)
    (487 * 60 + 30, 15, 495),      # 8 h 07 min 30 s: the half rounds up
    (487 * 60 + 29, 15, 480),
    (125 * 60, 6, 126),            # 2 h 05 → 2.1 h with tenths
    (122 * 60, 6, 120),
    (61 * 60 + 59, 1, 62),
    (0, 15, 0),
])
def test_rounding_to_the_nearest_step(seconds: int, step: int, expected: int) -> None:
    assert rounded_minutes(seconds, step) == expected


def test_hours_of_a_journey_less_breaks_and_flags() -> None:
    day = [Stamp(ClockKind.START_OF_DAY, _at("07:00")), Stamp(ClockKind.BREAK_START, _at("12:00")),
           Stamp(ClockKind.BREAK_END, _at("12:30")), Stamp(ClockKind.ARRIVED_PICKUP, _at("08:00")),
           Stamp(ClockKind.END_OF_DAY, _at("17:20"))]
    figures = journey_hours(day)
    assert (figures.worked_seconds, figures.break_seconds, figures.problems) == (590 * 60, 30 * 60, ())
    open_day = journey_hours(day[:2])
    assert open_day.worked_seconds == 5 * 3600 and open_day.problems == ("no end of day", "a break never ended")
    assert journey_hours(day[1:3]).problems == ("no start of day",)


def test_daily_then_weekly_overtime_by_hand() -> None:
    minutes = {MONDAY: 585, MONDAY + timedelta(1): 510, MONDAY + timedelta(2): 495, MONDAY + timedelta(3): 465,
               MONDAY + timedelta(4): 360, MONDAY + timedelta(5): 240}
    paid = paid_days(minutes, RULES_8_40)
    assert [(p.regular, p.overtime) for p in paid] == [(480, 105), (480, 30), (480, 15), (465, 0), (360, 0),
                                                        (135, 105)]
    weekly_only = paid_days(minutes, TimeRules(daily_overtime_after_minutes=None))
    assert [(p.regular, p.overtime) for p in weekly_only] == [(585, 0), (510, 0), (495, 0), (465, 0), (345, 15),
                                                               (0, 240)]
    daily_only = paid_days(minutes, TimeRules(weekly_overtime_after_minutes=None))
    assert sum(p.overtime for p in daily_only) == 150
    # a new week starts the weekly count again
    next_week = paid_days({MONDAY + timedelta(7): 480, MONDAY: 480}, TimeRules(weekly_overtime_after_minutes=420))
    assert [(p.regular, p.overtime) for p in next_week] == [(420, 60), (420, 60)]


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


def _rows(content: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content)))


@pytest.mark.postgres_only
async def test_the_payroll_csv_sums_match_the_hand_computed_hours(world: World) -> None:
    """The driver's week (8 h a day / 40 h a week, nearest 15 minutes per day):

    | day | clocked | breaks | worked | rounded | regular | overtime |
    | Mon | 07:00–17:20 | 12:00–12:30 | 9 h 50 | 9 h 45 | 8 h | 1 h 45 (daily) |
    | Tue | 07:00–15:37 | — | 8 h 37 | 8 h 30 | 8 h | 0 h 30 (daily) |
    | Wed | 07:00–15:08 | — | 8 h 08 | 8 h 15 | 8 h | 0 h 15 (daily) |
    | Thu | 08:00–16:00 | 10:00–10:15 | 7 h 45 | 7 h 45 | 7 h 45 | — |
    | Fri | 08:00–14:00 | — | 6 h | 6 h | 6 h | — |
    | Sat | 08:00–12:00 | — | 4 h | 4 h | 2 h 15 | 1 h 45 (weekly: 40 h reached) |

    Regular 40.00 h, overtime 4.25 h, total 44.25 h, breaks 0.75 h. The mover works Monday
    07:00–11:06 only: 4 h 06 → 4.00 h regular."""
    days = [MONDAY + timedelta(days=i) for i in range(6)]
    plan = [("07:00", "17:20", (("12:00", "12:30"),)), ("07:00", "15:37", ()), ("07:00", "15:08", ()),
            ("08:00", "16:00", (("10:00", "10:15"),)), ("08:00", "14:00", ()), ("08:00", "12:00", ())]
    journeys = [await journey_on(world, day) for day in days]
    for journey_id, day, (start, end, breaks) in zip(journeys, days, plan, strict=True):
        await work_day(world, "driver", journey_id, day, start, end, breaks)
    await work_day(world, "mover", journeys[0], days[0], "07:00", "11:06")
    async with unit_of_work() as session:  # a name a spreadsheet would run as a formula
        await session.execute(update(User).where(User.id == world["mover"].user_id).values(
            full_name="=HYPERLINK(\"http://evil\")"))

    export = await export_payroll_csv(world["manager"], world.location_id, MONDAY, MONDAY + timedelta(days=6))
    rows = {row["E-mail"]: row for row in _rows(export.content)}
    driver, mover = rows[world["driver"].email], rows[world["mover"].email]
    assert (driver["Days worked"], driver["Regular hours"], driver["Overtime hours"], driver["Total hours"],
            driver["Break hours"]) == ("6", "40.00", "4.25", "44.25", "0.75")
    assert (mover["Regular hours"], mover["Overtime hours"], mover["Total hours"]) == ("4.00", "0.00", "4.00")
    assert mover["Employee"] == "'=HYPERLINK(\"http://evil\")"
    assert driver["Days not approved"] == "6" and driver["Flagged"] == "16"  # 16 taps, none with a position
    assert export.rows == 2 and export.filename == "payroll-toronto-20261102-20261108.csv"
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "payroll"))
    assert entry is not None and entry.new_values is not None and entry.new_values["rows"] == 2

    # the company's rules change the figures: tenths of an hour, no weekly rule
    await save_time_rules(world["admin"], {"max_distance_m": 500, "rounding_minutes": 6,
                                           "daily_overtime_after_minutes": 480, "weekly_overtime_after_minutes": None})
    tenths = {r["E-mail"]: r for r in _rows((await export_payroll_csv(
        world["admin"], world.location_id, MONDAY, MONDAY + timedelta(days=6))).content)}[world["driver"].email]
    # 9 h 48 (9.8) + 8 h 36 (8.6) + 8 h 06 (8.1) + 7 h 48 (7.8) + 6 h + 4 h; overtime 1.8 + 0.6 + 0.1
    assert (tenths["Regular hours"], tenths["Overtime hours"], tenths["Total hours"]) == ("41.80", "2.50", "44.30")


@pytest.mark.postgres_only
async def test_the_payroll_csv_refuses_what_it_may_not_show(world: World) -> None:
    sunday = MONDAY + timedelta(days=6)
    with pytest.raises(NotFound):  # a branch the manager does not manage
        await export_payroll_csv(world["outsider_manager"], world.location_id, MONDAY, sunday)
    with pytest.raises(Forbidden):
        await export_payroll_csv(world["dispatcher"], world.location_id, MONDAY, sunday)
    with pytest.raises(ValidationFailed, match="at most 62 days"):
        await export_payroll_csv(world["manager"], world.location_id, MONDAY, MONDAY + timedelta(days=70))
    with pytest.raises(ValidationFailed, match="before its start"):
        await export_payroll_csv(world["manager"], world.location_id, sunday, MONDAY)
    other = await make_world(company_name="Other Movers")
    with pytest.raises(NotFound):
        await export_payroll_csv(other["manager"], world.location_id, MONDAY, sunday)
    with pytest.raises(ValidationFailed, match="Rounding must be one of"):
        await save_time_rules(world["admin"], {"max_distance_m": 500, "rounding_minutes": 7})
    with pytest.raises(Forbidden):
        await save_time_rules(world["manager"], {"max_distance_m": 500, "rounding_minutes": 15})
