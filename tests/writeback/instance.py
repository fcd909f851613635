"""Another instance of the app draining the write-back outbox, in its own process so that it can
be killed with SIGKILL mid-call. It uses the tests' database (DATABASE_URL, inherited).

    python -m tests.writeback.instance <client options as JSON>
"""

from __future__ import annotations

import asyncio
import json
import sys

from config import get_settings
from db.session import init_engine
from domain.writeback.drain import drain_write_backs


async def main(options: str) -> None:
    init_engine(get_settings().database_url)
    await drain_write_backs(client_options=json.loads(options))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
