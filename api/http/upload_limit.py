"""Upload bodies over the limit are refused while they are read, not after they are spooled.

Applies to the media upload route of the API and to NiceGUI's upload routes (the phone's camera
button). A body whose Content-Length is over the limit is answered 413 before the app runs; a body
without one is counted as it arrives and cut off with 413 the moment it passes the limit.
"""

from __future__ import annotations

import contextlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.envelope import fail
from domain.workflow.media import MAX_PHOTO_BYTES

#: Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
MAX_UPLOAD_BODY_BYTES = MAX_PHOTO_BYTES + MULTIPART_OVERHEAD
UPLOAD_PATHS = (
    re.compile(r"^/api/mobile/journey/[^/]+/media$"),
    re.compile(r"^/_nicegui/client/[^/]+/upload/[^/]+$"),
    re.compile(r"^/api/documents/verify$"),
)


class _BodyTooLarge(Exception):
    """Raised into the app's body read once the 413 has been sent."""


def _too_large(limit: int):  # type: ignore[no-untyped-def]
    return fail(413, "too_large", f"the upload is too large: at most {limit // (1024 * 1024)} MB")


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int = MAX_UPLOAD_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "POST" or not any(p.match(path) for p in UPLOAD_PATHS):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        received = 0
        answered = False

        async def counted_receive() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    answered = True
                    await _too_large(self.limit)(scope, receive, send)
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if not answered:  # the app's own answer to the cut-off body is dropped
                await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
