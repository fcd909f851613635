"""One sync of an integration at a time, across every app instance: `domain.runtime.locks.singleton_lock`
(a PostgreSQL advisory lock on a dedicated connection; an in-process lock on SQLite) under the
name `smartmoving-sync:<integration id>`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from domain.runtime.locks import singleton_lock


def sync_guard(integration_id: int, *, wait: float = 0.0) -> AbstractAsyncContextManager[bool]:
    """`async with sync_guard(id) as acquired:` — `acquired` is False when another sync of the
    integration holds it (after trying for `wait` seconds)."""
    return singleton_lock(f"smartmoving-sync:{integration_id}", wait=wait)
