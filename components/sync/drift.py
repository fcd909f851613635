"""The drift report panel of the super admin's company page: does the board equal SmartMoving?
Per day and branch at the last reconciliation, every mismatch, and "Reconcile now"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from nicegui import ui

from components.tables import simple_table
from domain.sync.drift import MISSING, DriftReport
from domain.timewindow import as_utc, local_time

KIND_WORDS = {MISSING: "Booked in SmartMoving, not on the board", "STALE": "On the board, not booked in SmartMoving"}
DAY_COLUMNS = (("day", "Day"), ("branch", "Branch"), ("booked", "Booked in SmartMoving"),
               ("on_board", "Live on the board"), ("matched", "Matching"))
MISMATCH_COLUMNS = (("what", "Mismatch"), ("day", "Day"), ("branch", "Branch"), ("job", "SmartMoving job"),
                    ("customer", "Customer"), ("reason", "Why"))


def when(value: datetime | None, timezone: str) -> str:
    """`Wed 02 Dec 06:00` in the company's zone, or "never"."""
    local = local_time(as_utc(value), timezone)
    return f"{local:%a %d %b %H:%M}" if local else "never"


def drift_panel(report: DriftReport, on_reconcile: Callable[[], Awaitable[None]] | None) -> None:
    with ui.row().classes("items-center gap-4"):
        if report.reconciled_at is None:
            ui.label("No reconciliation yet: the first jobs sync makes one.").mark("drift-summary")
        else:
            found = (f"{report.mismatch_count} mismatch{'es' if report.mismatch_count != 1 else ''}"
                     if report.mismatch_count else "the board equals SmartMoving")
            ui.label(f"Last reconciliation {when(report.reconciled_at, report.timezone)} "
                     f"(days {report.first:%d %b}–{report.last:%d %b}): {found}.").mark("drift-summary")
        ui.label(f"Last full reconciliation: {when(report.last_full_at, report.timezone)}.") \
            .classes("text-grey-8").mark("drift-last-full")
        if on_reconcile is not None:
            ui.button("Reconcile now", icon="sync_alt", on_click=on_reconcile) \
                .props('outline no-caps data-testid="reconcile-now"').mark("reconcile-now")
    if report.mismatches:
        ui.label("Mismatches").classes("text-subtitle1 text-negative")
        simple_table([{"id": i, "what": KIND_WORDS.get(m.kind, m.kind), "day": f"{m.day:%a %d %b}",
                       "branch": m.branch, "job": m.job, "customer": m.customer, "reason": m.reason}
                      for i, m in enumerate(report.mismatches)], MISMATCH_COLUMNS, "drift-mismatches")
        if report.mismatch_count > len(report.mismatches):
            ui.label(f"…and {report.mismatch_count - len(report.mismatches)} more.").classes("text-grey-7")
    if report.rows:
        simple_table([{"id": i, "day": f"{r.day:%a %d %b}", "branch": r.branch, "booked": r.booked,
                       "on_board": r.on_board, "matched": r.matched} for i, r in enumerate(report.rows)],
                     DAY_COLUMNS, "drift-days")
