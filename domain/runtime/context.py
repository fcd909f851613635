"""Per-request context the domain may read without every caller passing it (the client IP, and
the device: its user agent, kept as evidence with a signature)."""

from __future__ import annotations

from contextvars import ContextVar

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
request_device: ContextVar[str | None] = ContextVar("request_device", default=None)
