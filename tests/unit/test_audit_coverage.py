"""Every write path leaves an audit entry.

Writes are declared with `domain.audit.record.audited_write`. This test
1. calls every registered function with valid input (one recipe each, below) and checks that
   it added at least one AuditEntry — with an action and an entity, and never a password hash;
2. walks every module of the `domain` package and fails for any public coroutine function that
   is neither registered nor listed in READS below: a write nobody declared cannot slip in.

The walk covers subpackages too (`domain.sync.*`). Public coroutines whose first parameter is
`session` are building blocks used inside a caller's transaction (the caller is the registered
entry point), so they are not listed. System writes (scheduled syncs, webhook deliveries, the
demo integration) are registered like the others: their recipes call them as the scheduler, the
webhook route or startup does, without a principal, and their entries name a system actor.
The few public coroutines that are neither reads nor audited writes are listed with the reason
in NO_ROWS, PLUMBING and RUN_STEPS below.
When you add a write: decorate it, call `audit.record` in it, and add its recipe here.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select, update

import domain
from db.enums import CompanyStatus, CrewRole, IntegrationPlan, SyncKind, UserStatus, WebhookStatus
from db.models import AuditEntry, Company, JourneyAttention, Location, Truck, User, WebhookEvent, utcnow
from db.seed import DEMO_COMPANY
from domain.admin.schemas import LocationChanges, NewTruck
from domain.audit.record import audited_write, audited_writes
from domain.audit.log import AuditFilters
from domain.journeys import search as journey_search
from domain.journeys.edit import JourneyDraft, create_journey
from domain.journeys.search import JourneySearch
from domain.sync.jobs import sync_window
from domain.sync.mapping import BOOKED_STATUSES
from domain.sync.service import wait_for_background
from domain.sync.settings import IntegrationForm, save_integration
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.server import SimulatorState, create_simulator_app
from tests.smartmoving.conftest import API_KEY as SIM_KEY
from tests.smartmoving.conftest import SEED as SIM_SEED
from tests.smartmoving.conftest import serve
from tests.sync.conftest import FAST, WEBHOOK_SECRET
from tests.world import WORLD_PASSWORD, World, build_world

#: Every module of the `domain` package, those of its subpackages (`domain.sync.*`) included.
MODULES = [importlib.import_module(m.name) for m in pkgutil.walk_packages(domain.__path__, "domain.")]

#: Public coroutines of `domain` that only read (each checked to exist, so the list stays true).
READS = {
    "domain.idempotency.stored_answer",
    "domain.documents.library.journey_documents", "domain.documents.library.document_file",
    "domain.documents.library.verify_file",
    "domain.admin.users.list_users", "domain.admin.users.get_user",
    "domain.admin.locations.list_locations", "domain.admin.locations.get_location",
    "domain.admin.locations.location_options",
    "domain.admin.trucks.list_trucks", "domain.admin.trucks.get_truck",
    "domain.admin.companies.list_companies", "domain.admin.companies.get_company",
    "domain.admin.companies.company_options",
    "domain.audit.log.list_audit_entries", "domain.audit.log.audit_filter_choices",
    "domain.admin.tenancy.read_owned", "domain.runtime.health.check_health",
    "domain.board.availability.availability",
    "domain.board.views.load_board", "domain.board.views.board_stats", "domain.board.views.board_card",
    "domain.board.views.get_card", "domain.board.views.board_attention",
    "domain.board.views.active_journeys", "domain.board.views.load_timeline", "domain.board.views.company_overview",
    "domain.admin.overview.list_companies", "domain.admin.overview.company_detail",
    "domain.admin.overview.company_stats", "domain.admin.overview.company_catalogue",
    "domain.admin.overview.company_locations",
    "domain.journeys.detail.journey_detail", "domain.journeys.status.journey_progress",
    "domain.access.locations.visible_locations", "domain.access.signin.principal_for_session",
    "domain.sync.views.journey_list", "domain.sync.views.smartmoving_locations",
    "domain.sync.connection.load_connection", "domain.sync.service.integration_of",
    "domain.sync.settings.get_integration",
    "domain.sync.history.sync_history", "domain.sync.history.sync_run", "domain.sync.history.sync_status",
    "domain.workflow.approvals.awaiting_approval", "domain.workflow.approvals.ready_for_crew",
    "domain.workflow.approvals.approval_queue",
    "domain.admin.bookings.truck_bookings_from_today", "domain.admin.bookings.user_bookings_from_today",
    "domain.workflow.crew_journeys.my_journeys", "domain.workflow.crew_journeys.journey_card",
    "domain.workflow.crew_journeys.journey_sheet", "domain.workflow.crew_screen.crew_journey_view",
    "domain.workflow.media.media_file",
    "domain.workflow.template.company_template", "domain.workflow.phases.journey_workflow",
    # Reads of SmartMoving (and of the journeys already stored) that a sync run collects before it
    # writes anything; the run's own transaction writes and audits the result.
    "domain.sync.catalogue.fetch_catalogue", "domain.sync.jobs.collect_listed_jobs",
    "domain.sync.jobs.collect_opportunities", "domain.sync.jobs.fetch_details", "domain.sync.jobs.load_existing",
    "domain.sync.jobs.unlisted_journeys", "domain.sync.jobs.journeys_of_opportunities",
    "domain.sync.premium.premium_sections",
    "domain.sync.attention.attention_list", "domain.sync.drift.drift_report",
    "domain.sync.schedule.integration_plan",
    "domain.events.event_log.last_seq", "domain.events.event_log.oldest_seq", "domain.events.event_log.read_since",
    "domain.journeys.search.search_journeys", "domain.journeys.search.search_choices",
    "domain.crew.roster.crew_roster",
    "domain.customers.directory.list_customers", "domain.customers.directory.get_customer",
    "domain.availability.edit.resource_availability",
    "domain.planner.views.load_planner", "domain.planner.suggest.suggest_crews",
    "domain.crew_time.board.journey_clock", "domain.crew_time.rules.time_rules",
    "domain.crew_time.timesheets.list_timesheets",
    "domain.customer.links.customer_link_state", "domain.customer.tracking.tracking",
    "domain.customer.tracking.tracked_document", "domain.customer.settings.tracking_shows_money",
    "domain.writeback.status.write_back_summary",
    "domain.inventory.views.journey_inventory",
}

#: Public coroutines that change no rows at all: process machinery started and stopped with the app.
NO_ROWS = {
    "domain.events.relay.start_relay": "opens LISTEN/NOTIFY connections; sends events (and logs them: PLUMBING)",
    "domain.events.relay.stop_relay": "closes the relay's connections",
    "domain.workflow.media.prepare_within_budget": "decodes and re-encodes an upload in memory, in the pixel budget",
    "domain.runtime.health.wait_started": "waits for the app's startup flag (requests held by the startup gate)",
    "domain.sync.demo.start_simulator": "serves the in-process SmartMoving simulator (demo mode)",
    "domain.sync.demo.stop_simulator": "stops that server",
    "domain.sync.schedule.install_schedules": "adds jobs to the in-memory APScheduler (reads integrations)",
    "domain.sync.schedule.schedule_integration": "re-adds one integration's in-memory scheduler jobs",
    "domain.sync.service.wait_for_background": "awaits the background sync tasks of this process",
    "domain.sync.webhooks.resume_inbox": "wakes the in-memory webhook worker for the integrations with queued rows",
    "domain.inventory.smartmoving.wait_for_imports": "awaits the inventory imports started by PICKUP in this process",
}

#: Public coroutines that write rows of process plumbing, not of the business: nothing to audit.
PLUMBING = {
    "domain.events.event_log.append_and_notify": "logs a relayed event (ids only) for listeners that catch up",
    "domain.events.event_log.prune": "deletes logged events past the log's age and count",
    "domain.idempotency.claim_key": "reserves a request's idempotency key in the transaction of its (audited) write",
    "domain.idempotency.complete_key": "stores that request's answer with its key, same transaction",
    "domain.idempotency.prune_keys": "deletes idempotency keys past their lifetime",
    "domain.mail.outbox.drain_outbox": "sends queued e-mails and records each one's outcome on its outbox row "
                                       "(the write that queued it was audited)",
    "domain.mail.service.drain_now": "the scheduled run of drain_outbox",
}

#: Writes that are the first step of an operation whose audit entry a later step records, with
#: the registered writes that record it (checked below). A sync run is one operation with one
#: entry (action "sync"): `open_run` makes the RUNNING SyncRun visible at once in its own
#: transaction; the run is then closed — SUCCEEDED in the transaction that writes its results
#: (`run_sync`, `refresh_opportunities`), else FAILED or SKIPPED by `finish_failed` — and the
#: closing transaction records the run's entry.
RUN_STEPS = {
    "domain.sync.runs.open_run": ("domain.sync.service.run_sync", "domain.sync.service.refresh_opportunities",
                                  "domain.sync.runs.finish_failed", "domain.sync.recovery.recover_interrupted_runs"),
}

Thunk = Callable[[], Awaitable[Any]]
Recipe = Callable[[World, "Simulator"], Awaitable[Thunk]]


@dataclass(frozen=True)
class Simulator:
    """SmartMoving, simulated over real HTTP, for the recipes of sync runs."""

    url: str
    state: SimulatorState


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    state = SimulatorState(seed=SIM_SEED, api_key=SIM_KEY)
    with serve(create_simulator_app(state)) as url:
        yield Simulator(url, state)


async def _set(model: Any, row_id: int, **values: Any) -> None:
    async with unit_of_work() as s:
        await s.execute(update(model).where(model.id == row_id).values(**values))


def _now(make: Callable[[World], Thunk]) -> Recipe:
    """A recipe without setup."""
    async def recipe(w: World, _sim: Simulator) -> Thunk:
        return make(w)
    return recipe


def _draft(w: World, customer_name: str) -> JourneyDraft:
    """A manual journey today at Alpha North."""
    return JourneyDraft(location_id=w.a1, journey_date=today_in("America/Toronto"), customer_name=customer_name)


async def _journey(w: World) -> int:
    """A manual journey booked by Alpha North's dispatcher; its id."""
    return await create_journey(w.dispatcher_a, _draft(w, "Jane Doe"))


async def _integration(w: World, sim: Simulator) -> int:
    """Alpha's SmartMoving integration, pointed at the simulator; its id."""
    view = await save_integration(w.super_admin, w.company_a, IntegrationForm(
        base_url=sim.url, plan=IntegrationPlan.PREMIUM, active=True, sync_frequency_minutes=30,
        webhook_header="x-smartmoving-auth", api_key=SIM_KEY, webhook_secret=WEBHOOK_SECRET))
    return int(view["id"])


def _and_background(start: Thunk) -> Thunk:
    """A write that starts its sync in the background: the thunk also waits for that run."""
    async def thunk() -> Any:
        result = await start()
        await wait_for_background()
        return result
    return thunk


def _recipes() -> dict[str, Recipe]:
    from domain.admin import locations as L
    from domain.admin import trucks as T
    from domain.admin import users as U
    from domain.board import assignment
    from domain.audit import log as audit_log
    from domain.access import signin as auth
    from domain.admin import companies
    from domain.journeys import status as journey_status
    from domain.journeys import edit as journeys
    from domain.admin import tenancy
    from domain.availability import edit as availability
    from domain.sync import attention as sync_attention
    from domain.sync import demo, recovery, runs, service, settings, webhooks

    async def reactivate_user(w: World, _sim: Simulator) -> Thunk:
        await _set(User, w.mover_a.user_id, status=UserStatus.INACTIVE)
        return lambda: U.reactivate_user(w.admin_a, w.mover_a.user_id)

    async def reactivate_location(w: World, _sim: Simulator) -> Thunk:
        await _set(Location, w.a2, active=False)
        return lambda: L.reactivate_location(w.admin_a, w.a2)

    async def reactivate_truck(w: World, _sim: Simulator) -> Thunk:
        await _set(Truck, w.truck_a, active=False)
        return lambda: T.reactivate_truck(w.admin_a, w.truck_a)

    async def reactivate_company(w: World, _sim: Simulator) -> Thunk:
        await _set(Company, w.company_b, status=CompanyStatus.SUSPENDED)
        return lambda: companies.reactivate_company(w.super_admin, w.company_b)

    def on_journey(make: Callable[[World, int], Thunk]) -> Recipe:
        async def recipe(w: World, _sim: Simulator) -> Thunk:
            return make(w, await _journey(w))
        return recipe

    def on_integration(make: Callable[[World, Simulator, int], Thunk]) -> Recipe:
        async def recipe(w: World, sim: Simulator) -> Thunk:
            return make(w, sim, await _integration(w, sim))
        return recipe

    def on_open_run(make: Callable[[runs.RunInfo], Thunk]) -> Recipe:
        async def recipe(w: World, sim: Simulator) -> Thunk:
            return make(await runs.open_run(await _integration(w, sim), SyncKind.CATALOGUE, "manual"))
        return recipe

    async def refresh_opportunities(w: World, sim: Simulator) -> Thunk:
        integration_id = await _integration(w, sim)
        opportunity = next(o for o in sim.state.opportunities_between(*sync_window("America/Toronto"))
                           if o.status in BOOKED_STATUSES)
        return lambda: service.refresh_opportunities(integration_id, [opportunity.id], **FAST)

    async def process_inbox(w: World, sim: Simulator) -> Thunk:
        integration_id = await _integration(w, sim)
        opportunity = next(o for o in sim.state.opportunities_between(*sync_window("America/Toronto"))
                           if o.status in BOOKED_STATUSES)
        async with unit_of_work() as s:
            s.add(WebhookEvent(integration_id=integration_id, dedupe_key="a" * 64, event_type="opportunity-changed",
                               opportunity_id=opportunity.id, payload={}, status=WebhookStatus.QUEUED,
                               received_at=utcnow()))
        return lambda: webhooks.process_inbox(integration_id, **FAST)

    async def resolve_attention(w: World, _sim: Simulator) -> Thunk:
        journey_id = await _journey(w)
        async with unit_of_work() as s:
            entry = JourneyAttention(company_id=w.company_a, location_id=w.a1, journey_id=journey_id, kind="CHANGED",
                                     reason="changed in SmartMoving", changes={}, released={})
            s.add(entry)
            await s.flush()
            entry_id = entry.id
        return lambda: sync_attention.resolve_attention(w.dispatcher_a, entry_id)

    async def remove_period(w: World, _sim: Simulator) -> Thunk:
        period = await availability.add_period(w.admin_a, {"truck_id": w.truck_a, "starts_on": "2026-12-01",
                                                           "ends_on": "2026-12-02", "reason": "Brakes"})
        return lambda: availability.remove_period(w.admin_a, period.id)

    async def ensure_demo_integration(w: World, _sim: Simulator) -> Thunk:
        await _set(Company, w.company_a, name=DEMO_COMPANY)
        return demo.ensure_demo_integration

    return {
        **_workflow_recipes(),
        **_crew_time_recipes(),
        **_customer_recipes(),
        **_write_back_recipes(),
        **_inventory_recipes(),
        "domain.journeys.edit.create_journey": _now(lambda w: lambda: journeys.create_journey(
            w.dispatcher_a, _draft(w, "John Roe"))),
        "domain.journeys.edit.update_journey": on_journey(lambda w, j: lambda: journeys.update_journey(
            w.dispatcher_a, j, {"customer_name": "Jane Roe", "notes": "Piano"})),
        "domain.journeys.edit.cancel_journey": on_journey(lambda w, j: lambda: journeys.cancel_journey(
            w.dispatcher_a, j, "moved to next month")),
        "domain.journeys.edit.delete_journey": on_journey(lambda w, j: lambda: journeys.delete_journey(w.admin_a, j)),
        "domain.board.assignment.assign": on_journey(lambda w, j: lambda: assignment.assign(
            w.dispatcher_a, j, truck_id=w.truck_a,
            crew=[assignment.CrewChoice(w.mover_a.user_id, CrewRole.MOVER)])),
        "domain.journeys.status.update_journey_notes": on_journey(lambda w, j: lambda: (
            journey_status.update_journey_notes(w.dispatcher_a, j, "Side door; bring straps"))),
        "domain.sync.settings.save_integration": _now(lambda w: lambda: settings.save_integration(
            w.super_admin, w.company_a, settings.IntegrationForm(
                base_url="https://api.sync.example", plan=IntegrationPlan.BASIC, active=False,
                sync_frequency_minutes=60, webhook_header="x-smartmoving-auth", api_key="a-long-api-key-123"))),
        "domain.sync.service.trigger_sync": on_integration(lambda w, _s, _i: _and_background(
            lambda: service.trigger_sync(w.super_admin, w.company_a, SyncKind.CATALOGUE, **FAST))),
        "domain.sync.service.trigger_all": on_integration(lambda w, _s, _i: _and_background(
            lambda: service.trigger_all(w.super_admin, SyncKind.CATALOGUE))),
        # What the scheduler calls (no principal: the entry names the system actor).
        "domain.sync.service.scheduled_sync": on_integration(lambda w, _s, i: lambda: service.scheduled_sync(
            i, SyncKind.CATALOGUE, optional=False, **FAST)),
        # What the webhook worker calls (no principal either).
        "domain.sync.service.refresh_opportunities": refresh_opportunities,
        "domain.sync.service.run_sync": on_open_run(lambda info: lambda: service.run_sync(info, **FAST)),
        # What start-up calls: the run opened here has no live process, it is closed INTERRUPTED.
        "domain.sync.recovery.recover_interrupted_runs": on_open_run(
            lambda _info: recovery.recover_interrupted_runs),
        "domain.sync.webhooks.process_inbox": process_inbox,
        "domain.sync.runs.finish_failed": on_open_run(lambda info: lambda: runs.finish_failed(
            info, "SmartMovingError: the API key was refused", 1)),
        "domain.sync.runs.record_skipped": on_integration(lambda w, _s, i: lambda: runs.record_skipped(
            i, SyncKind.JOBS, "schedule", "call budget: the monthly quota is used up")),
        # What the webhook route calls: a delivery that queues nothing, so only its own entry counts.
        "domain.sync.webhooks.receive_webhook": on_integration(lambda w, _s, _i: lambda: webhooks.receive_webhook(
            w.company_a, {"x-smartmoving-auth": WEBHOOK_SECRET}, b'{"event-type": "customer-created"}')),
        # What demo-mode startup calls.
        "domain.sync.demo.ensure_demo_integration": ensure_demo_integration,
        "domain.sync.attention.resolve_attention": resolve_attention,
        "domain.availability.edit.add_period": _now(lambda w: lambda: availability.add_period(w.admin_a, {
            "user_id": w.mover_a.user_id, "starts_on": "2026-12-24", "ends_on": "2026-12-26", "reason": "Holiday"})),
        "domain.availability.edit.remove_period": remove_period,
        "domain.availability.edit.set_skills": _now(lambda w: lambda: availability.set_skills(
            w.admin_a, w.mover_a.user_id, {"skills": ["PIANO"]})),
        "domain.access.signin.authenticate": _now(
            lambda w: lambda: auth.authenticate("admin@alpha.test", WORLD_PASSWORD)),
        "domain.access.signin.authenticate_super_admin": _now(
            lambda w: lambda: auth.authenticate_super_admin("root@ccrm.test", WORLD_PASSWORD)),
        "domain.access.signin.record_logout": _now(lambda w: lambda: auth.record_logout(w.admin_a)),
        "domain.admin.users.create_user": _now(lambda w: lambda: U.create_user(w.admin_a, {
            "email": "fresh@alpha.test", "full_name": "Fresh", "role": "MOVER", "password": "long-enough-pw",
            "locations": [{"location_id": w.a1, "kind": "ASSIGNED"}]})),
        "domain.admin.users.update_user": _now(lambda w: lambda: U.update_user(w.admin_a, w.mover_a.user_id, {
            "role": "DRIVER", "locations": [{"location_id": w.a2, "kind": "MANAGED"}]})),
        "domain.admin.users.deactivate_user": _now(lambda w: lambda: U.deactivate_user(w.admin_a, w.mover_a.user_id)),
        "domain.admin.users.reactivate_user": reactivate_user,
        "domain.admin.users.reset_password": _now(lambda w: lambda: U.reset_password(
            w.admin_a, w.mover_a.user_id, "another-long-pw")),
        "domain.admin.locations.create_location": _now(lambda w: lambda: L.create_location(
            w.admin_a, {"name": "Alpha West", "timezone": "America/Toronto"})),
        "domain.admin.locations.update_location": _now(lambda w: lambda: L.update_location(
            w.admin_a, w.a1, {"city": "Toronto"})),
        "domain.admin.locations.deactivate_location": _now(lambda w: lambda: L.deactivate_location(w.admin_a, w.a2)),
        "domain.admin.locations.reactivate_location": reactivate_location,
        "domain.admin.trucks.create_truck": _now(lambda w: lambda: T.create_truck(
            w.admin_a, {"number": "A-900", "location_id": w.a2})),
        "domain.admin.trucks.update_truck": _now(lambda w: lambda: T.update_truck(
            w.admin_a, w.truck_a, {"size": "16 ft"})),
        "domain.admin.trucks.deactivate_truck": _now(lambda w: lambda: T.deactivate_truck(w.admin_a, w.truck_a)),
        "domain.admin.trucks.reactivate_truck": reactivate_truck,
        "domain.admin.companies.create_company": _now(lambda w: lambda: companies.create_company(
            w.super_admin, {"name": "Gamma"})),
        "domain.admin.companies.update_company": _now(lambda w: lambda: companies.update_company(
            w.super_admin, w.company_b, {"name": "Beta Movers Ltd"})),
        "domain.admin.companies.suspend_company": _now(lambda w: lambda: companies.suspend_company(
            w.super_admin, w.company_b)),
        "domain.admin.companies.reactivate_company": reactivate_company,
        "domain.journeys.search.export_journeys_csv": _now(lambda w: lambda: journey_search.export_journeys_csv(
            w.admin_a, JourneySearch(text="Jane"))),
        "domain.audit.log.export_audit_csv": _now(lambda w: lambda: audit_log.export_audit_csv(
            w.admin_a, AuditFilters(entity="user"))),
        "domain.admin.tenancy.change_state": _now(lambda w: lambda: tenancy.change_state(
            w.admin_a, Truck, "truck", w.truck_a, "active", False, "deactivate", already="inactive")),
        "domain.admin.tenancy.create_record": _now(lambda w: lambda: tenancy.create_record(
            w.admin_a, Truck, "truck", NewTruck, {"number": "A-901", "location_id": w.a1}, unique="number",
            audited=T.AUDITED)),
        "domain.admin.tenancy.update_record": _now(lambda w: lambda: tenancy.update_record(
            w.admin_a, Location, "location", LocationChanges, w.a1, {"code": "AN"}, unique="name")),
    }


def _workflow_recipes() -> dict[str, Recipe]:
    """The crew workflow's writes, on a journey with a truck and a crew (tests/journey_factory)."""
    from db.enums import ItemKind, MediaKind, Phase
    from domain.workflow import media, outbox
    from domain.workflow import template as phase_template
    from domain.workflow import phases as workflow
    from tests.journey_factory import CREATION_ITEMS, consent, jpeg_bytes, make_world, signature_bytes, through

    def on_journey(setup_through: Phase | None, make: Callable[[Any], Thunk]) -> Recipe:
        async def recipe(_w: World, _sim: Simulator) -> Thunk:
            journey = await make_world(company_name="Workflow Movers")
            if setup_through is not None:
                await through(journey, setup_through)
            return make(journey)
        return recipe

    def creation(j: Any) -> Thunk:
        return lambda: workflow.complete_phase(j["dispatcher"], j.journey_id, Phase.CREATION, CREATION_ITEMS)

    return {
        "domain.workflow.phases.start_phase": on_journey(None, lambda j: lambda: workflow.start_phase(
            j["dispatcher"], j.journey_id, Phase.CREATION)),
        "domain.workflow.phases.record_item": on_journey(None, lambda j: lambda: workflow.record_item(
            j["dispatcher"], j.journey_id, Phase.CREATION, "schedule_confirmed", True)),
        "domain.workflow.phases.record_photo": on_journey(Phase.CREATION, lambda j: lambda: workflow.record_photo(
            j["driver"], j.journey_id, Phase.MORNING_PREP, "vehicle_photo", jpeg_bytes())),
        "domain.workflow.phases.record_signature": on_journey(
            Phase.MORNING_PREP, lambda j: lambda: workflow.record_signature(
                j["driver"], j.journey_id, Phase.PICKUP, "pickup_signature", signature_bytes(), consent=consent())),
        "domain.workflow.phases.complete_phase": on_journey(None, creation),
        "domain.workflow.phases.hand_over": on_journey(None, lambda j: lambda: workflow.hand_over(
            j["dispatcher"], j.journey_id)),
        "domain.workflow.phases.approve_phase": on_journey(Phase.CREATION, lambda j: lambda: workflow.approve_phase(
            j["manager"], j.journey_id, Phase.CREATION)),
        "domain.workflow.phases.reject_phase": on_journey(Phase.CREATION, lambda j: lambda: workflow.reject_phase(
            j["manager"], j.journey_id, Phase.CREATION, "wrong truck")),
        "domain.workflow.outbox.apply_action": on_journey(Phase.CREATION, lambda j: lambda: outbox.apply_action(
            j["driver"], j.journey_id, outbox.Action(key=str(uuid.uuid4()), kind=outbox.RECORD,
                                                     phase=Phase.MORNING_PREP, made_at=utcnow(),
                                                     item_key="lights_ok", value=True))),
        "domain.workflow.media.upload_media": on_journey(None, lambda j: lambda: media.upload_media(
            j["driver"], j.journey_id, MediaKind.PHOTO, jpeg_bytes())),
        "domain.workflow.template.set_item_required": on_journey(
            None, lambda j: lambda: phase_template.set_item_required(
                j["admin"], Phase.PICKUP, "condition_photos", False)),
        "domain.workflow.template.add_item": on_journey(None, lambda j: lambda: phase_template.add_item(
            j["admin"], Phase.PICKUP, "Stairs counted", ItemKind.CHECK)),
    }


def _inventory_recipes() -> dict[str, Recipe]:
    """The inventory's writes: lines at pickup, checks at delivery, the import from SmartMoving."""
    from db.enums import DeliveryCheck, Phase
    from domain.inventory import edit, smartmoving
    from domain.workflow import phases as workflow
    from tests.inventory.helpers import smartmoving_job
    from tests.journey_factory import fill_phase, jpeg_bytes, make_world, through

    sofa = edit.LineDraft("Living room", "Sofa", 1, ["SC"])

    def at(phase: Phase, make: Callable[[Any, int], Thunk]) -> Recipe:
        """A journey whose `phase` is under way, with one line recorded at pickup; `make(world, line_id)`."""
        async def recipe(_w: World, _sim: Simulator) -> Thunk:
            journey = await make_world(company_name="Inventory Movers")
            await through(journey, Phase.MORNING_PREP)
            line = await edit.add_line(journey["driver"], journey.journey_id, sofa)
            if phase is Phase.DELIVERY:
                await through_pickup_and_transport(journey)
            return make(journey, line.id)
        return recipe

    async def through_pickup_and_transport(journey: Any) -> None:
        for phase in (Phase.PICKUP, Phase.TRANSPORT):
            await fill_phase(journey, phase)
            await workflow.complete_phase(journey["driver"], journey.journey_id, phase)

    async def import_inventory(_w: World, sim: Simulator) -> Thunk:
        journey = await make_world(company_name="Inventory Movers")
        opportunity = sim.state.add_opportunity(today_in("America/Toronto"))
        opportunity.inventory = {"rooms": [{"name": "Kitchen", "items": [{"id": "i-1", "name": "Fridge"}]}]}
        await smartmoving_job(journey, sim.url, SIM_KEY, opportunity.id)
        return lambda: smartmoving.import_inventory(journey["driver"], journey.journey_id)

    return {
        "domain.inventory.edit.add_line": at(Phase.PICKUP, lambda j, _l: lambda: edit.add_line(
            j["mover"], j.journey_id, sofa, jpeg_bytes())),
        "domain.inventory.edit.edit_line": at(Phase.PICKUP, lambda j, line: lambda: edit.edit_line(
            j["mover"], j.journey_id, line, edit.LineDraft("Living room", "Sofa", 2))),
        "domain.inventory.edit.remove_line": at(Phase.PICKUP, lambda j, line: lambda: edit.remove_line(
            j["mover"], j.journey_id, line)),
        "domain.inventory.edit.add_photo": at(Phase.PICKUP, lambda j, line: lambda: edit.add_photo(
            j["mover"], j.journey_id, line, Phase.PICKUP, jpeg_bytes())),
        "domain.inventory.edit.check_line": at(Phase.DELIVERY, lambda j, line: lambda: edit.check_line(
            j["mover"], j.journey_id, line, edit.CheckDraft(DeliveryCheck.MISSING))),
        "domain.inventory.smartmoving.import_inventory": import_inventory,
    }


def _crew_time_recipes() -> dict[str, Recipe]:
    """Crew time's writes: a tap, the office's review, the payroll export, the rules."""
    from db.enums import ClockKind
    from db.models import Journey
    from domain.crew_time import clock, payroll, review, rules
    from tests.journey_factory import make_world, password_hash

    def on_clocked(make: Callable[[Any, Any], Thunk]) -> Recipe:
        """A journey whose driver started the day for the crew; `make(world, journey_date)`."""
        async def recipe(_w: World, _sim: Simulator) -> Thunk:
            # a real hash: the default stand-in ("x") is in every entry that mentions max_distance_m
            journey = await make_world(company_name="Crew Time Movers", hashed=password_hash())
            await clock.clock(journey["driver"], journey.journey_id, {"kind": ClockKind.START_OF_DAY,
                                                                       "whole_crew": True})
            async with read_session() as s:
                day = await s.scalar(select(Journey.journey_date).where(Journey.id == journey.journey_id))
            return make(journey, day)
        return recipe

    async def first_event(journey: Any) -> int:
        from db.models import ClockEvent
        async with read_session() as s:
            found = await s.scalar(select(ClockEvent.id).where(ClockEvent.journey_id == journey.journey_id))
        assert found is not None
        return found

    def correct(j: Any, _day: Any) -> Thunk:
        async def thunk() -> Any:
            event_id = await first_event(j)
            return await review.correct_event(j["manager"], event_id, {"at": utcnow(), "reason": "clocked late"})
        return thunk

    return {
        "domain.crew_time.clock.clock": on_clocked(lambda j, _d: lambda: clock.clock(
            j["mover"], j.journey_id, {"kind": ClockKind.BREAK_START, "client_key": "coverage-key-1"})),
        "domain.crew_time.review.approve_day": on_clocked(lambda j, d: lambda: review.approve_day(
            j["manager"], {"user_id": j["driver"].user_id, "work_date": d})),
        "domain.crew_time.review.correct_event": on_clocked(correct),
        "domain.crew_time.review.add_missing_event": on_clocked(lambda j, _d: lambda: review.add_missing_event(
            j["manager"], {"journey_id": j.journey_id, "user_id": j["mover"].user_id, "kind": ClockKind.END_OF_DAY,
                           "at": utcnow(), "reason": "forgot to clock out"})),
        "domain.crew_time.payroll.export_payroll_csv": on_clocked(lambda j, d: lambda: payroll.export_payroll_csv(
            j["manager"], j.location_id, d, d)),
        "domain.crew_time.rules.save_time_rules": on_clocked(lambda j, _d: lambda: rules.save_time_rules(
            j["admin"], {"max_distance_m": 800, "rounding_minutes": 6, "daily_overtime_after_minutes": 600})),
    }


def _customer_recipes() -> dict[str, Recipe]:
    """The customer's side: the crew's On my way (link and e-mail), the office's revocation."""
    from domain.customer import links, settings
    from tests.customer.support import on_the_way
    from tests.journey_factory import password_hash

    async def on_the_way_told(_w: World, _sim: Simulator) -> Thunk:
        # a real hash: the default stand-in ("x") is in every entry that mentions expires_at
        journey = await on_the_way(company_name="Customer Side Movers", hashed=password_hash())
        await links.tell_customer_on_my_way(journey["driver"], journey.journey_id)
        return lambda: links.revoke_customer_links(journey["dispatcher"], journey.journey_id)

    async def on_the_way_untold(_w: World, _sim: Simulator) -> Thunk:
        # a real hash: the default stand-in ("x") is in every entry that mentions expires_at
        journey = await on_the_way(company_name="Customer Side Movers", hashed=password_hash())
        return lambda: links.tell_customer_on_my_way(journey["driver"], journey.journey_id)

    return {
        "domain.customer.settings.set_tracking_shows_money": _now(
            lambda w: lambda: settings.set_tracking_shows_money(w.admin_a, True)),
        "domain.customer.links.tell_customer_on_my_way": on_the_way_untold,
        "domain.customer.links.revoke_customer_links": on_the_way_told,
    }


def _write_back_recipes() -> dict[str, Recipe]:
    """The SmartMoving write-back: the drain sends a queued job note (its entry names the system
    actor); the super admin queues a failed one again."""
    from db.enums import DataSource, WriteBackKind, WriteBackStatus
    from db.models import CompanyIntegration, Journey, WriteBack
    from domain.sync.secrets import encrypt_secret
    from domain.writeback import drain, status
    from tests.journey_factory import make_world

    def on_note(row_status: WriteBackStatus, make: Callable[[World, int], Thunk]) -> Recipe:
        async def recipe(w: World, sim: Simulator) -> Thunk:
            world = await make_world(company_name="Write-back Movers")
            opportunity = sim.state.add_opportunity(today_in("America/Toronto"))
            async with unit_of_work() as s:
                integration = CompanyIntegration(company_id=world.company_id, base_url=sim.url, active=True,
                                                 plan=IntegrationPlan.PREMIUM,
                                                 api_key_encrypted=encrypt_secret(SIM_KEY))
                s.add(integration)
                await s.flush()
                await s.execute(update(Journey).where(Journey.id == world.journey_id).values(
                    data_source=DataSource.SMARTMOVING, external_opportunity_id=opportunity.id,
                    external_id=opportunity.jobs[0].id))
                row = WriteBack(company_id=world.company_id, integration_id=integration.id,
                                journey_id=world.journey_id, kind=WriteBackKind.NOTE, status=row_status,
                                opportunity_id=opportunity.id, job_id=opportunity.jobs[0].id, note_text="Done.")
                s.add(row)
                await s.flush()
                row_id = row.id
            return make(w, row_id)
        return recipe

    return {
        "domain.writeback.drain.drain_write_backs": on_note(WriteBackStatus.QUEUED, lambda _w, _r: lambda: (
            drain.drain_write_backs(client_options=FAST))),
        "domain.writeback.status.retry_write_back": on_note(WriteBackStatus.FAILED, lambda w, r: lambda: (
            status.retry_write_back(w.super_admin, r))),
    }


RECIPES = _recipes()
REGISTERED = audited_writes()


def test_every_registered_write_has_a_recipe_and_every_recipe_a_registered_write() -> None:
    assert set(REGISTERED) == set(RECIPES)


def test_every_public_coroutine_of_the_domain_is_a_registered_write_or_a_listed_read() -> None:
    listed = READS | NO_ROWS.keys() | PLUMBING.keys() | RUN_STEPS.keys()
    undeclared: list[str] = []
    seen: set[str] = set()
    for module in MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.iscoroutinefunction(obj) or obj.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            seen.add(qualified)
            if next(iter(inspect.signature(obj).parameters), None) == "session":
                continue
            if qualified not in REGISTERED and qualified not in listed:
                undeclared.append(qualified)
    assert undeclared == [], f"declare these with @audited_write (and add a recipe) or list them in READS: {undeclared}"
    assert listed <= seen, f"the lists name functions that no longer exist: {sorted(listed - seen)}"
    assert not listed & REGISTERED.keys(), f"registered writes listed as reads: {sorted(listed & REGISTERED.keys())}"
    closers = {name for names in RUN_STEPS.values() for name in names}
    assert closers <= REGISTERED.keys(), f"not registered writes: {sorted(closers - REGISTERED.keys())}"


def test_the_walk_reaches_subpackages() -> None:
    assert "domain.sync.service" in {m.__name__ for m in MODULES}
    assert "domain.sync.service.run_sync" in REGISTERED


def test_the_decorator_takes_only_coroutine_functions() -> None:
    def not_async() -> None:
        return None

    with pytest.raises(TypeError):
        audited_write(not_async)  # type: ignore[type-var]


async def _entries() -> list[AuditEntry]:
    async with read_session() as s:
        return list((await s.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


@pytest.mark.parametrize("name", sorted(RECIPES))
async def test_each_write_records_an_audit_entry(db: str, simulator: Simulator, name: str) -> None:
    world = await build_world()
    call = await RECIPES[name](world, simulator)
    before = len(await _entries())
    await call()
    added = (await _entries())[before:]
    assert added, f"{name} wrote no audit entry"
    async with read_session() as s:
        hashes = set((await s.scalars(select(User.password_hash))).all())
        assert await s.scalar(select(func.count()).select_from(AuditEntry)) == before + len(added)
    for entry in added:
        assert entry.action and entry.entity
        stored = json.dumps([entry.old_values, entry.new_values])
        assert "password_hash" not in stored and not any(h in stored for h in hashes)
