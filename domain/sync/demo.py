"""Demo mode: the SmartMoving simulator served in-process (a uvicorn server task in the app's
loop, on SIMULATOR_PORT, fixed seed) and the demo company's integration pointed at it, so
"Sync now" works out of the box."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from sqlalchemy import select

from config import get_settings
from db.enums import IntegrationPlan
from db.models import Company, CompanyIntegration
from db.seed import DEMO_COMPANY
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.sync.secrets import encrypt_secret
from domain.sync.connection import local_simulator_url
from domain.unit_of_work import unit_of_work
from integrations.smartmoving.simulator.server import SimulatorState, create_simulator_app

log = logging.getLogger(__name__)

DEMO_SIMULATOR_SEED = 2026
DEMO_API_KEY = "demo-simulator-api-key"
#: Shown in the README so webhooks can be tried with curl against a demo instance.
DEMO_WEBHOOK_SECRET = "demo-webhook-secret-2026"
DEMO_ACTOR = "system:demo"


class _InProcessServer(uvicorn.Server):
    """The app's own server owns the process signals; this one must not take them over. `ready`
    is set once it listens (uvicorn itself only flips a `started` flag)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


_server: _InProcessServer | None = None
_task: asyncio.Task[None] | None = None


async def start_simulator() -> bool:
    """Serve the simulator on 127.0.0.1:SIMULATOR_PORT; False (and a warning) if the port is taken."""
    global _server, _task
    port = get_settings().simulator_port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        log.warning("SmartMoving simulator not started: port %s is taken (%s)", port, exc)
        return False
    state = SimulatorState(seed=DEMO_SIMULATOR_SEED, api_key=DEMO_API_KEY)
    _server = _InProcessServer(uvicorn.Config(create_simulator_app(state), log_level="warning", access_log=False,
                                              lifespan="off"))
    _task = asyncio.get_running_loop().create_task(_server.serve(sockets=[sock]))
    ready = asyncio.ensure_future(_server.ready.wait())
    await asyncio.wait({ready, _task}, return_when=asyncio.FIRST_COMPLETED)  # listening, or failed
    ready.cancel()
    log.info("SmartMoving simulator serving on %s", local_simulator_url())
    return True


async def stop_simulator() -> None:
    global _server, _task
    if _server is not None and _task is not None:
        _server.should_exit = True
        await asyncio.gather(_task, return_exceptions=True)
    _server = _task = None


@audited_write
async def ensure_demo_integration() -> int | None:
    """The demo company's integration (created if missing) pointed at the in-process simulator."""
    async with unit_of_work() as session:
        company = await session.scalar(select(Company).where(Company.name == DEMO_COMPANY))
        if company is None:
            return None
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company.id))
        if integration is not None:
            return integration.id
        integration = CompanyIntegration(
            company_id=company.id, base_url=local_simulator_url(), api_key_encrypted=encrypt_secret(DEMO_API_KEY),
            plan=IntegrationPlan.PREMIUM, active=True, sync_frequency_minutes=get_settings().smartmoving_sync_minutes,
            webhook_header="x-smartmoving-auth", webhook_secret_encrypted=encrypt_secret(DEMO_WEBHOOK_SECRET))
        session.add(integration)
        await session.flush()
        audit.record(session, None, "create", "company_integration", integration.id, company_id=company.id,
                     actor_email=DEMO_ACTOR, new={"base_url": integration.base_url, "plan": integration.plan})
        return integration.id
