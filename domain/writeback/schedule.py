"""The write-back drain as a scheduler job of every instance (rows are claimed with SKIP LOCKED,
so instances share the work without sending a row twice)."""

from __future__ import annotations

from domain.runtime.scheduler import get_scheduler
from domain.writeback.drain import drain_write_backs

JOB_ID = "smartmoving:write-back"
DRAIN_EVERY_SECONDS = 60


def install_drain() -> None:
    """Add the drain to the running scheduler (app startup); a new completion waits a minute at most."""
    get_scheduler().add_job(drain_write_backs, "interval", seconds=DRAIN_EVERY_SECONDS, id=JOB_ID,
                            replace_existing=True, misfire_grace_time=DRAIN_EVERY_SECONDS)
