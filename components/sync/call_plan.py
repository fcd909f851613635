"""The call plan panel of the super admin's company page: what the sync spends a day and a
month against the quota, on what, and how fresh that keeps the board."""

from __future__ import annotations

from nicegui import ui

from domain.sync.call_plan import CallPlan

PURPOSES = {"near_listing": "Today and tomorrow listed", "window_listing": "Whole window listed",
            "new_jobs": "New jobs' details", "changed_jobs": "Changed jobs' details",
            "rolling_refresh": "Details re-read in turn", "catalogue": "Branches and catalogue",
            "webhook_refreshes": "Webhook refreshes"}


def call_plan_panel(plan: CallPlan) -> None:
    with ui.card().classes("w-full").props('flat bordered data-testid="call-plan"'):
        ui.label("Call plan").classes("text-subtitle1")
        verdict = "fits" if plan.fits else "does NOT fit"
        ui.label(f"About {plan.per_day:,} calls a day, {plan.per_month:,} in a 31-day month: {verdict} the "
                 f"{plan.plan.value.title()} quota of {plan.quota:,} (for about {plan.workload.jobs_per_day:.0f} "
                 f"jobs a day over {plan.workload.window_days} days).").mark("call-plan-summary")
        with ui.row().classes("gap-4 text-caption text-grey-8"):
            for purpose, calls in plan.calls_per_day().items():
                ui.label(f"{PURPOSES.get(purpose, purpose)}: {calls:,.0f}/day")
        for bound in plan.freshness():
            ui.label(f"• {bound}").classes("text-body2")
