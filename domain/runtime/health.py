"""The system's health as `/health` reports it: database, migrations, scheduler, version."""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from sqlalchemy import text

from config import VERSION, get_settings
from db.migrate import head_revision
from db.session import answers_within, get_engine
from domain.events.relay import relay_state
from domain.events.bus import bus
from domain.runtime.scheduler import scheduler_state


_started = False
#: Who waits for the startup: one event per event loop (an asyncio.Event belongs to the loop that
#: first waits on it, and tests run a loop each).
_start_events: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = weakref.WeakKeyDictionary()


def mark_started(started: bool = True) -> None:
    """Called by the app when its startup (migrations, demo data, relay, scheduler) has finished
    — NiceGUI runs startup in the background, so the server answers before that."""
    global _started
    _started = started
    if started:
        for event in _start_events.values():
            event.set()
        _start_events.clear()


def is_started() -> bool:
    return _started


async def wait_started() -> None:
    """Return once the app has started (at once if it has); bound it with `asyncio.timeout`."""
    if not _started:
        await _start_events.setdefault(asyncio.get_running_loop(), asyncio.Event()).wait()


async def check_health() -> tuple[bool, dict[str, Any]]:
    """(healthy, report). Never raises: a database that is down is reported, not thrown."""
    report: dict[str, Any] = {
        "version": VERSION,
        "started": _started,
        "scheduler": scheduler_state(),
        "live": {"subscribers": bus.subscriber_count, "relay": relay_state()},
    }
    head = head_revision()
    started = time.perf_counter()
    try:
        with answers_within(get_settings().db_connect_timeout):  # a hung database is reported, not waited for
            async with get_engine().connect() as conn:
                await conn.execute(text("SELECT 1"))
                latency_ms = (time.perf_counter() - started) * 1000
                current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception as exc:  # any driver error means "unreachable" to an operator
        report["database"] = {"reachable": False, "error": type(exc).__name__}
        report["migrations"] = {"head": head, "current": None, "at_head": False}
        return False, report
    report["database"] = {"reachable": True, "latency_ms": round(latency_ms, 2), "dialect": get_engine().dialect.name}
    report["migrations"] = {"head": head, "current": current, "at_head": current == head}
    return current == head, report
