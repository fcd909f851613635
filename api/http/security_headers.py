"""Security headers on every response: a Content-Security-Policy NiceGUI works under, no framing
(`frame-ancestors 'none'` and `X-Frame-Options: DENY`), no MIME sniffing, no referrer to other sites.

NiceGUI needs `'unsafe-eval'` (Vue's template compiler, `:prop` values, `run_javascript`) and
inline styles, but not inline scripts from anyone: its pages' own `<script>` tags get a fresh
nonce per response here, so an injected script tag or `on…=` attribute does not run. Only tags of
the page template are touched (user content in a page is JSON with `<` escaped, never a tag).
"""

from __future__ import annotations

import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])")


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        start: Message | None = None
        body = bytearray()

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in STATIC_HEADERS.items():
                    headers[name] = value
                headers["Content-Security-Policy"] = content_security_policy(nonce)
                if not headers.get("content-type", "").startswith("text/html"):
                    await send(message)
                    return
                start = message  # an HTML page: its body gets the nonce, then its length
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', bytes(body))
            headers = MutableHeaders(scope=start)
            if "content-length" in headers:
                headers["content-length"] = str(len(page))
            await send(start)
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_headers)
