"""Structured logging: one JSON object per line, with the request id when there is one."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from domain.runtime.context import request_id
from domain.runtime.outage import quiet_outages_in

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            payload["request_id"] = rid
        payload.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(level: str, *, json_output: bool = True) -> None:
    """Install our handler once; handlers others installed (pytest's capture) stay."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_output else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.set_name("ccrm")
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "ccrm"] + [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    quiet_outages_in("nicegui")  # an event handler's outage: one warning, not an ERROR with the driver's text
