"""ASGI middleware for the API: request ids, client IP for the audit (the connection's peer, or
what a trusted proxy forwarded: see TRUSTED_PROXIES), access log, and a JSON 500 envelope
instead of a stack trace. A database outage, on any path, pages included, is answered 503
with `Retry-After` (`api/http/outage.py`), never with the driver's message."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.envelope import fail, is_api_path
from api.http.outage import outage_response
from domain.runtime.context import request_device, request_id, request_ip
from domain.runtime.outage import is_database_outage

log = logging.getLogger("api")
#: The width of the audit trail's and sign-in attempts' ip columns.
MAX_IP_LENGTH = 64
#: How much of a user agent is kept (signature evidence).
MAX_DEVICE_LENGTH = 300


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        client = scope.get("client")  # a trusted proxy's client already (TRUSTED_PROXIES): never the header itself
        rid_token = request_id.set(rid)
        ip_token = request_ip.set(client[0][:MAX_IP_LENGTH] if client else None)
        device_token = request_device.set(headers.get(b"user-agent", b"").decode("latin-1")[:MAX_DEVICE_LENGTH] or None)
        path: str = scope.get("path", "")
        is_api = is_api_path(path)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if response_started:
                raise
            if is_database_outage(exc):
                log.warning("database unavailable on %s %s (%s)", scope.get("method"), path, type(exc).__name__)
                await outage_response(path)(scope, receive, send_with_id)
                return
            if not is_api:
                raise
            log.exception("unhandled error on %s", path)
            await fail(500, "internal_error", f"unexpected server error (request id {rid})")(
                scope, receive, send_with_id
            )
        finally:
            if is_api:
                log.info("%s %s %s", scope.get("method"), path, status,
                         extra={"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)})
            request_id.reset(rid_token)
            request_ip.reset(ip_token)
            request_device.reset(device_token)
