"""Another instance of the app for the fault tests, in its own process so that it can be killed
with SIGKILL mid-work. It uses the same database (DATABASE_URL, inherited from the tests).

    python -m tests.sync.instance sync <integration id> <client options as JSON>
        runs a JOBS sync as the scheduler of an instance does (under the integration's guard)
    python -m tests.sync.instance webhooks <company id> <JSON file: {"secret": ..., "bodies": [...]}>
        stores each delivery as the webhook route does, prints "stored" and waits: the process
        is killed before its worker gets to them (its debounce never ends)
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from config import get_settings
from db.enums import SyncKind
from db.session import init_engine
from domain.sync import webhooks
from domain.sync.service import scheduled_sync

HOUR = 3600.0


async def main(mode: str, target: int, argument: str, flood: dict[str, Any] | None) -> None:
    init_engine(get_settings().database_url)
    if mode == "sync":
        await scheduled_sync(target, SyncKind.JOBS, optional=False, **json.loads(argument))
        return
    assert flood is not None
    webhooks.DEBOUNCE_SECONDS = HOUR
    for body in flood["bodies"]:
        await webhooks.receive_webhook(target, {"x-smartmoving-auth": flood["secret"]}, body.encode())
    print("stored", flush=True)
    await asyncio.sleep(HOUR)


if __name__ == "__main__":
    _mode, _target, _argument = sys.argv[1:]
    _flood = json.loads(Path(_argument).read_text()) if _mode == "webhooks" else None
    asyncio.run(main(_mode, int(_target), _argument, _flood))
