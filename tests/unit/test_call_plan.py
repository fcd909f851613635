"""The call plan: what each tier can afford for a company's size, the bounds it states, and the
rolling refresh's slices covering every near job in the period the plan promises."""

from __future__ import annotations

import math

import pytest

from db.enums import IntegrationPlan
from domain.sync.call_plan import (
    CANDIDATES,
    DAYS_PER_MONTH,
    RESERVE,
    WORKING_HOURS,
    Cadence,
    CallPlan,
    Workload,
    near_scope,
    plan_for,
)

BASIC, PREMIUM = IntegrationPlan.BASIC, IntegrationPlan.PREMIUM
#: The issue's company: 230 jobs a day over a 14-day window.
BIG = Workload(230, 14)


def test_the_basic_plan_fits_a_230_jobs_a_day_company_over_14_days() -> None:
    plan = plan_for(BASIC, BIG)
    assert plan.fits and plan.per_month <= 20_000 * RESERVE
    # the freshest cadence that fits: the one before it would not
    index = CANDIDATES.index(Cadence(plan.cadence.near_every_minutes, plan.cadence.window_every_hours,
                                     plan.cadence.catalogue_every_hours))
    assert index == 0 or not CallPlan(BASIC, BIG, CANDIDATES[index - 1]).fits
    calls = plan.calls_per_day()
    assert calls["new_jobs"] == 460  # two calls for each new job: the floor of any plan
    assert math.ceil(sum(calls.values()) * DAYS_PER_MONTH) == plan.per_month
    assert plan.cadence.refresh_every_hours is None  # nothing left to re-read unchanged jobs...
    assert any("Premium's webhooks" in bound for bound in plan.freshness())  # ...and it says so


def test_premium_lists_every_30_minutes_and_rereads_near_details_at_least_daily() -> None:
    plan = plan_for(PREMIUM, BIG)
    assert plan.fits and plan.per_month <= 125_000 * RESERVE
    assert plan.cadence.near_every_minutes == 30 and plan.cadence.window_every_hours == 3
    assert plan.cadence.refresh_every_hours is not None and plan.cadence.refresh_every_hours <= 24
    assert "webhook_refreshes" in plan.calls_per_day()


@pytest.mark.parametrize("jobs_per_day", [10, 40, 100])
def test_smaller_basic_companies_get_a_rolling_refresh_with_a_stated_bound(jobs_per_day: int) -> None:
    plan = plan_for(BASIC, Workload(jobs_per_day, 14))
    assert plan.fits and plan.cadence.near_every_minutes == 30
    assert plan.cadence.refresh_every_hours is not None
    hours = plan.cadence.refresh_every_hours
    assert any(f"{hours} hours" in bound for bound in plan.freshness())
    faster = [h for h in (2, 3, 4, 6, 8, 12, 24, 48) if h < hours]
    assert all(not CallPlan(BASIC, plan.workload, Cadence(30, plan.cadence.window_every_hours,
                                                          plan.cadence.catalogue_every_hours, h)).fits
               for h in faster)


def test_a_company_too_big_for_its_tier_is_told_so() -> None:
    plan = plan_for(BASIC, Workload(400, 14))
    assert not plan.fits and plan.cadence == CANDIDATES[-1]
    assert plan.as_dict()["fits"] is False


def test_the_setting_bounds_how_often_the_plan_lists() -> None:
    assert plan_for(PREMIUM, BIG, min_near_minutes=15).cadence.near_every_minutes == 15
    assert plan_for(PREMIUM, BIG, min_near_minutes=45).cadence.near_every_minutes == 45


def test_words_not_codes() -> None:
    text = " ".join(plan_for(BASIC, BIG).freshness() + plan_for(PREMIUM, BIG).freshness())
    assert "BASIC" not in text and "PREMIUM" not in text and "_" not in text


@pytest.mark.parametrize("refresh_hours", [2, 4, 12, 24, 48])
def test_the_rolling_slices_cover_every_near_job_in_the_promised_period(refresh_hours: int) -> None:
    cadence = Cadence(30, 3, 12, refresh_hours)
    start, end = WORKING_HOURS
    runs = [(day, minutes) for day in range(100, 103) for minutes in range(start * 60, end * 60, 30)]
    scopes = [near_scope(cadence, minutes, day) for day, minutes in runs]
    assert all(s.days == 2 and s.refresh is not None for s in scopes)
    count = scopes[0].refresh[1]  # type: ignore[index]
    # any run of consecutive near runs as long as the period holds every slice
    period = count
    assert period <= max(1, refresh_hours * 2) or refresh_hours >= 24
    for first in range(len(scopes) - period + 1):
        assert {s.refresh[0] for s in scopes[first:first + period]} == set(range(count))  # type: ignore[index]
    if refresh_hours >= 24:  # a day's runs (or two days' for 48 h) hold them all
        per_day = (end - start) * 2
        assert count == per_day * refresh_hours // 24


def test_without_a_refresh_the_near_run_lists_only() -> None:
    scope = near_scope(Cadence(120, 24, 168), 9 * 60, 5)
    assert scope.days == 2 and scope.refresh is None
