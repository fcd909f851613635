"""Per-request context the domain may read without every caller passing it (the client IP)."""

from __future__ import annotations

from contextvars import ContextVar

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
