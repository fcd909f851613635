"""C&C CRM entry point: settings, database, API routers, pages, scheduler, `ui.run`.

Everything is registered inside `build()` so that NiceGUI's test `user` fixture, which re-runs
this file for every test, gets a fresh app; the engine and scheduler start in `on_startup`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import Depends
from pydantic import ValidationError
from nicegui import app, core, ui
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import audit, health
from api.admin import records as admin
from api import access as auth
from api.admin import companies
from api.admin import overview as company_overview
from api.workflow import phases as journey_phases
from api.journeys import edit as journeys
from api.journeys import search as journey_search_api
from api import crew as crew_api
from api import planner as planner_api
from api import customers as customers_api
from api.crew_time import mobile as crew_time_mobile
from api.crew_time import timesheets as timesheets_api
from api.documents import routes as documents_api
from api.workflow import media
from api.inventory import lines as inventory_api
from api.workflow import mobile
from api.workflow import outbox as outbox_api
from api import sync as smartmoving
from api.customer import tracking as tracking_api
from api.journeys import status as journey_status_api
from api.http.compression import gzip_middleware
from api.http.envelope import ERROR_RESPONSES, install_error_handlers
from api.http.input_guard import refuse_unstorable_input
from api.http import nicegui_middleware
from api.http.middleware import RequestContextMiddleware
from api.http.security_headers import SecurityHeadersMiddleware
from api.http.session_cookie import install_session
from api.http.startup_gate import StartupGate
from api.http.upload_limit import UploadLimitMiddleware
from components.theme import install_theme
from config import Settings, get_settings
from db.session import DatabaseTimeouts
from db.migrate import upgrade_to_head
from db.seed import DEMO_PASSWORD, seed_demo
from db.session import dispose_engine, engine_ready, init_engine
from domain.runtime.gc_tuning import tune_for_server
from domain.runtime.health import mark_started
from domain.events.relay import start_relay, stop_relay
from domain.runtime.locks import singleton_lock
from domain.access.passwords import hash_password
from domain.idempotency import prune_keys
from domain.mail import service as mail
from domain.inventory import smartmoving as inventory_import
from domain.runtime.scheduler import get_scheduler, shutdown_scheduler, start_scheduler
from domain.sync import demo as sync_demo
from domain.sync.recovery import recover_interrupted_runs
from domain.sync.schedule import install_schedules
from domain.sync.webhooks import resume_inbox
from domain.writeback.schedule import install_drain as install_write_back_drain
from domain.sync.webhooks import worker as webhook_worker
from domain.unit_of_work import unit_of_work
from logging_setup import configure_logging
from pages.admin import records as admin_pages
from pages.workflow import template as admin_workflow
from pages.workflow import approvals
from pages.board import day as dispatcher
from pages.journeys import search as journey_search
from pages.crew import roster as crew_pages
from pages.planner import page as planner_pages
from pages.customers import directory as customer_pages
from pages.journeys import status as journey_status
from pages.access import login
from pages.admin import portal as super_admin
from pages import audit as audit_pages
from pages.admin import companies as company_pages
from pages.workflow import mobile as mobile_pages
from pages.crew_time import timesheets as timesheet_pages
from pages.customer import sent_mail as sent_mail_pages
from pages.customer import tracking as tracking_pages
from pages.access.session import AuthMiddleware
from pages.access.session_store import use_redis_sessions

log = logging.getLogger("ccrm")

#: Instances starting together take turns to migrate and seed; one waits this long for another.
STARTUP_LOCK_WAIT_SECONDS = 300


def database_timeouts(settings: Settings) -> DatabaseTimeouts:
    return DatabaseTimeouts(connect=settings.db_connect_timeout, statement=settings.db_statement_timeout,
                            pool=settings.db_pool_timeout)


async def startup() -> None:
    settings = get_settings()
    if settings.is_sqlite:
        Path(settings.database_url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    settings.media_root.mkdir(parents=True, exist_ok=True)
    async with singleton_lock("startup:migrate-and-seed", wait=STARTUP_LOCK_WAIT_SECONDS) as acquired:
        if not acquired:
            raise RuntimeError("another instance held the startup lock too long; not starting")
        await asyncio.to_thread(upgrade_to_head, settings.database_url)
        if not engine_ready():  # tests may have initialised it already
            init_engine(settings.database_url, database_timeouts(settings))
        if settings.should_seed:
            password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
            async with unit_of_work() as session:
                if await seed_demo(session, password_hash):
                    log.info("demo data loaded")
    if not settings.is_sqlite:  # several instances may share PostgreSQL: relay live events between them
        await start_relay(settings.database_url)
    await recover_interrupted_runs()  # runs a killed process left RUNNING: closed INTERRUPTED
    await resume_inbox()  # webhook deliveries a killed process left QUEUED: processed now
    inventory_import.install()  # PICKUP started: the inventory from SmartMoving, when the plan has it
    if settings.should_run_simulator and await sync_demo.start_simulator():
        await sync_demo.ensure_demo_integration()
    if settings.should_run_mail_server:  # e-mails go to a local SMTP server that keeps them (the "Sent mail" view)
        await asyncio.to_thread(mail.start_demo_mail_server)
    if settings.scheduler_enabled:
        start_scheduler()
        await install_schedules()
        mail.install_mail_drain()
        get_scheduler().add_job(prune_keys, "interval", hours=1, id="idempotency-keys:prune", replace_existing=True)
        install_write_back_drain()
    mark_started()
    log.info("C&C CRM started", extra={"demo_mode": settings.demo_mode,
                                       "database": "sqlite" if settings.is_sqlite else "postgresql"})


async def shutdown() -> None:
    mark_started(False)
    shutdown_scheduler()
    await webhook_worker.stop()
    await sync_demo.stop_simulator()
    await asyncio.to_thread(mail.stop_demo_mail_server)
    await stop_relay()
    await dispose_engine()


def build() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json_output=settings.log_json)
    app.add_middleware(UploadLimitMiddleware)  # innermost: cuts oversized uploads while they are read
    app.add_middleware(AuthMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(StartupGate)  # nothing below runs before the startup is done
    install_session(app, settings.storage_secret.get_secret_value())  # the session cookie, Secure over https
    app.add_middleware(SecurityHeadersMiddleware)  # CSP, no framing: on every answer, the gate's and errors too
    if settings.trusted_proxy_list:  # outermost: the client and scheme the trusted proxy saw, for all the above
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    core.sio.eio.cors_allowed_origins = None  # socket.io: the page's own origin only (NiceGUI allows any)
    install_error_handlers(app)
    install_theme()
    # FastAPI wraps the app's lifespan once per include_router; the test `user` fixture re-runs
    # build() for every test, so without restoring it the wrappers nest until RecursionError.
    lifespan = app.router.lifespan_context
    for router in (health.router, auth.router, admin.router, companies.router, audit.router,
                   journey_status_api.router, journeys.router, smartmoving.router, company_overview.router,
                   mobile.router, journey_phases.router, media.router, journey_search_api.router,
                   crew_api.router, customers_api.router, outbox_api.router, planner_api.router,
                   crew_time_mobile.router, timesheets_api.router, documents_api.router,
                   tracking_api.router, inventory_api.router):
        app.include_router(router, responses=ERROR_RESPONSES, dependencies=[Depends(refuse_unstorable_input)])
    app.router.lifespan_context = lifespan
    login.register()
    admin_pages.register()
    company_pages.register()
    audit_pages.register()
    journey_status.register()
    journey_search.register()
    crew_pages.register()
    planner_pages.register()
    customer_pages.register()
    dispatcher.register()
    super_admin.register()
    mobile_pages.register()
    approvals.register()
    admin_workflow.register()
    timesheet_pages.register()
    tracking_pages.register()
    sent_mail_pages.register()
    app.on_startup(startup)
    app.on_shutdown(shutdown)


def settings_or_exit() -> Settings:
    """The settings, or exit with the reason they are refused (no traceback: it is not a crash)."""
    try:
        return get_settings()
    except ValidationError as exc:
        reasons = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
        raise SystemExit(f"C&C CRM cannot start: {reasons}") from None


if __name__ in {"__main__", "__mp_main__"}:
    _settings = settings_or_exit()
    build()
    app.on_startup(tune_for_server)  # after `startup`: what it loaded is frozen too
    if _settings.redis_url:  # sessions shared by all instances: failover keeps browsers signed in
        use_redis_sessions(_settings.redis_url, _settings.redis_key_prefix)
    nicegui_middleware.install()  # ui.run's two middlewares as plain ASGI (api/http/nicegui_middleware.py)
    ui.run(
        host=_settings.host,
        port=_settings.port,
        title="C&C CRM",
        language="en-US",  # <html lang>, and Quasar's words
        storage_secret=None,  # the session middleware is the app's own (build: install_session)
        proxy_headers=False,  # forwarded headers count only from TRUSTED_PROXIES (build)
        reload=False,
        show=False,
        show_welcome_message=False,
        favicon="🚚",
        fastapi_docs=True,  # /openapi.json (public, for clients and tools) and /docs (signed in)
        gzip_middleware_factory=gzip_middleware,  # bodies of 1 KiB and more (api/http/compression.py)
    )
