"""The super admin portal through NiceGUI's simulated user: the companies table, Sync now with
live progress and counts, and the integration settings form."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from config import get_settings
from db.enums import IntegrationPlan
from db.models import CompanyIntegration, SyncRun
from domain.events.bus import EventType, bus
from domain.sync.service import wait_for_background
from domain.unit_of_work import read_session
from tests.helpers import eventually, sign_in


async def _latest_run() -> SyncRun | None:
    async with read_session() as session:
        return await session.scalar(select(SyncRun).order_by(SyncRun.id.desc()).limit(1))


async def _press_sync_now(user: User, after: int = 0) -> SyncRun:
    """Click, wait for the run the click started (the handler runs as a task) to finish."""
    user.find(marker="sync-now").click()
    for _ in range(500):
        run = await _latest_run()
        if run is not None and run.id > after:
            break
        await asyncio.sleep(0.01)
    await wait_for_background()
    run = await _latest_run()
    assert run is not None and run.id > after
    return run


async def test_companies_table_lists_the_company_and_its_integration(integration: dict[str, Any], company_id: int,
                                                                     user: User) -> None:
    await sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies")
    table = user.find(marker="companies-table").elements.pop()
    assert isinstance(table, ui.table)
    assert [(r["name"], r["integration_status"], r["plan"], r["calls"]) for r in table.rows] == [
        ("Let's Get Moving", "NEVER_SYNCED", "PREMIUM", "0 / 125,000")]
    # what people read: words, not enum names
    assert [(r["integration_words"], r["plan_words"]) for r in table.rows] == [("Never synced", "Premium")]
    user.find(marker=f"open-company-{company_id}").click()
    await user.should_see("Sync now")
    await user.should_see("Never synced")
    await user.should_not_see("NEVER_SYNCED")
    webhook = user.find(marker="webhook-url").elements.pop()
    assert isinstance(webhook, ui.label)
    assert webhook.text.startswith(f"Webhook URL to set in SmartMoving: {get_settings().public_url}/api/")
    assert "<this server>" not in webhook.text


async def test_sync_now_shows_progress_and_counts_then_nothing_new(integration: dict[str, Any], company_id: int,
                                                                   fast_client_rate: None, user: User) -> None:
    await sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see("Let's Get Moving")
    processed_label = user.find(marker="sync-processed").elements.pop()
    bar = user.find(marker="sync-progress").elements.pop()
    seen: list[tuple[str, float]] = []
    bus.subscribe(lambda e: seen.append((processed_label.text, bar.value))
                  if e.type is EventType.SYNC_PROGRESS and e.data["stage"] == "details" else None)

    run = await _press_sync_now(user)
    assert run.created > 100
    await user.should_see(f"Run #{run.id} succeeded")
    await user.should_see(f"Created {run.created}")
    await user.should_see(f"Processed {run.processed} / {run.processed}")
    await user.should_see(f"API calls {run.api_calls}")
    assert bar.value == 1
    values = [value for _, value in seen]
    assert len(seen) > 5 and values == sorted(values) and 0 < values[len(values) // 2] < 1  # the bar moved
    assert len({text for text, _ in seen}) > 5  # and so did the counts (a page refreshes at most every 300 ms)
    history = user.find(marker="sync-history").elements.pop()
    # page handlers run as tasks after the event: give the history table its refresh
    await eventually(lambda: [(r["id"], r["status"], r["created"]) for r in history.rows]
                     == [(run.id, "SUCCEEDED", run.created)])
    assert [(r["kind_words"], r["status_words"]) for r in history.rows] == [("Jobs: today + tomorrow", "succeeded")]
    await user.should_see(f"{run.api_calls:,}")  # the calls tile

    again = await _press_sync_now(user, after=run.id)
    assert (again.created, again.updated) == (0, 0)
    await user.should_see(f"Run #{again.id} succeeded")
    await user.should_see("Created 0")
    await user.should_see("Updated 0")
    await user.should_see(f"Unchanged {run.created}")


async def test_settings_form_validates_and_saves(integration: dict[str, Any], company_id: int, user: User) -> None:
    await sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see("API key (write-only)")
    api_key = user.find(marker="settings-api-key").elements.pop()
    assert api_key.props["hint"].startswith("stored: ••••••") and api_key.value == ""  # masked, never filled
    user.find(marker="settings-base-url").clear().type("not a url")
    user.find(marker="settings-save").click()
    await user.should_see("base URL must be an http(s) URL")
    user.find(marker="settings-base-url").clear().type(integration["base_url"])
    user.find(marker="settings-plan").elements.pop().set_value("BASIC")
    user.find(marker="settings-api-key").type("fresh-api-key-5555")
    user.find(marker="settings-save").click()
    await user.should_see("Integration settings saved")
    assert api_key.props["hint"] == "stored: ••••••5555 — leave empty to keep" and api_key.value == ""
    async with read_session() as session:
        stored = await session.scalar(select(CompanyIntegration))
    assert stored.plan is IntegrationPlan.BASIC and "fresh-api-key-5555" not in stored.api_key_encrypted


async def test_other_roles_are_refused_the_portal(integration: dict[str, Any], company_id: int, user: User) -> None:
    await sign_in(user, "admin@demo.ccrm")
    await user.should_see("Dispatch board")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see("You don't have access to this page.")
    await user.should_not_see("Sync now")


async def test_drift_tab_shows_the_last_reconciliation_and_reconciles_now(
        integration: dict[str, Any], company_id: int, fast_client_rate: None, user: User) -> None:
    from tests.sync.helpers import run

    synced = await run(integration["id"])
    await sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see(marker="drift-summary")
    await user.should_see("Last reconciliation")
    await user.should_see("Last full reconciliation: never.")
    await user.should_see(marker="drift-days")
    # the demo seed's "SmartMoving" journeys never came from a sync: the report names them
    await user.should_see(marker="drift-mismatches")
    user.find(marker="reconcile-now").click()
    await user.should_see("Full reconciliation started")
    await wait_for_background()
    latest = await _latest_run()
    assert latest is not None and latest.id > synced.id and latest.kind.value == "FULL_JOBS"
    await user.should_see("Nothing needs attention")


async def test_the_overview_states_the_call_plan(integration: dict[str, Any], company_id: int, user: User) -> None:
    await sign_in(user, "superadmin@demo.ccrm")
    await user.should_see("Companies")
    await user.open(f"/super-admin/companies/{company_id}")
    await user.should_see(marker="call-plan-summary")
    await user.should_see("fits the Premium quota of 125,000")
    await user.should_see("Today's and tomorrow's jobs")
