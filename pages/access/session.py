"""The browser session of a signed-in user, and the guard every page goes through.

The session lives in `app.storage.user` (signed with STORAGE_SECRET). Anonymous visitors are
sent to `/login?redirect_to=...` by `AuthMiddleware`; `guarded_page` then loads the
`Principal` and sends a user whose role lacks the page's permission to their own home page,
which says why.
"""

from __future__ import annotations

import inspect
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, context, ui
from starlette.types import ASGIApp, Receive, Scope, Send

from components.live import on_event
from components.outage import report_unsaved_taps
from domain.access.rbac import Permission, Principal, landing_path
from domain.events.bus import DomainEvent, EventType
from domain.access.signin import principal_for_session

#: Where the login form sends the browser to finish signing in (`begin_sign_in`).
COMPLETE_PATH = "/login/complete"
#: How long the browser has to fetch COMPLETE_PATH after the password was checked.
SIGN_IN_TICKET_SECONDS = 60
_TICKET_KEY = "sign_in_ticket"
#: `/openapi.json` describes the API (no data; every route but login and health needs a token), for clients and tools.
PUBLIC_PATHS = frozenset({"/login", COMPLETE_PATH, "/health", "/openapi.json"})
REFUSAL = "You don't have access to this page."
#: The refused path, kept in the session until the home page it was sent to has said so.
_REFUSED_KEY = "refused_path"
#: `/track/` is the customer's tracking page and its downloads: the link's token is the key.
_UNGUARDED_PREFIXES = ("/_nicegui", "/api/", "/static/", "/crew/", "/track/")


class AuthMiddleware:
    """Sends anonymous visitors of any page to the login page, remembering where they wanted to go.
    Plain ASGI (a BaseHTTPMiddleware would run every request in a task of its own)."""

    def __init__(self, asgi_app: ASGIApp) -> None:
        self.app = asgi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if (
                path not in PUBLIC_PATHS
                and not path.startswith(_UNGUARDED_PREFIXES)
                and not app.storage.user.get("user_id")
            ):
                await to_login(Request(scope))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def to_login(request: Request) -> RedirectResponse:
    """To the login page, which sends the visitor back to the page asked for once signed in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?redirect_to={quote(target, safe='')}")


def _signed_in_state(principal: Principal) -> dict[str, Any]:
    return {"user_id": principal.user_id, "role": principal.role.value, "token_version": principal.token_version}


def begin_sign_in(principal: Principal, redirect_to: str | None) -> str:
    """The address that completes a sign-in whose password was just checked.

    The login form's handler runs on a socket event, which cannot change the session cookie; but
    signing in under the id the browser had before would let whoever planted that cookie (session
    fixation) share the session. So the handler only leaves a one-time ticket in the anonymous
    session, and the browser fetches `COMPLETE_PATH`, whose HTTP response moves it to a fresh
    session id (`complete_sign_in`)."""
    ticket = secrets.token_urlsafe(32)
    app.storage.user[_TICKET_KEY] = {"ticket": ticket, "expires": time.time() + SIGN_IN_TICKET_SECONDS,
                                     **_signed_in_state(principal)}
    query = {"ticket": ticket, **({"redirect_to": redirect_to} if redirect_to else {})}
    return f"{COMPLETE_PATH}?{urlencode(query)}"


async def complete_sign_in(request: Request, ticket: str) -> Principal | None:
    """Redeem the ticket of `begin_sign_in` (once, within SIGN_IN_TICKET_SECONDS): the signed-in
    state goes to a new session id, set in this response's cookie; the old id stays anonymous."""
    pending = app.storage.user.get(_TICKET_KEY)
    if not isinstance(pending, dict):
        return None
    expected = str(pending.get("ticket"))
    if not expected or not secrets.compare_digest(expected.encode(), ticket.encode()):
        return None  # a wrong guess does not burn the right ticket
    del app.storage.user[_TICKET_KEY]
    if float(pending.get("expires", 0)) < time.time():
        return None
    principal = await principal_for_session(int(pending["user_id"]), pending.get("token_version"))
    if principal is None:
        return None
    fresh_id = str(uuid.uuid4())
    # NiceGUI has no public call for this: its request middleware creates the storage of an id it
    # sees for the first time, but the new id only arrives with the browser's next request.
    await app.storage._create_user_storage(fresh_id)
    app.storage._users[fresh_id].update(_signed_in_state(principal))
    request.session["id"] = fresh_id
    return principal


def sign_out() -> None:
    app.storage.user.clear()


async def current_principal() -> Principal | None:
    """The signed-in user's principal, re-read from the database: a deactivated user, or a session
    ended since (logout elsewhere, password reset, role change), is out at once."""
    user_id = app.storage.user.get("user_id")
    if not user_id:
        return None
    principal = await principal_for_session(int(user_id), app.storage.user.get("token_version"))
    if principal is None:
        sign_out()
    return principal


PageHandler = Callable[..., Awaitable[Any] | Any]

#: Every guarded page's path and the permission it is open to (filled as the pages register).
GUARDED_PAGES: dict[str, Permission] = {}


def guarded_page(path: str, *, allow: Permission, title: str | None = None,
                 reconnect_timeout: float | None = None) -> Callable[[PageHandler], PageHandler]:
    """Register `handler(principal, **path_params)` as a page open to the roles that have `allow`.
    `reconnect_timeout`: how long the server keeps the page for a browser that lost its connection."""
    GUARDED_PAGES[path] = allow

    def decorate(handler: PageHandler) -> PageHandler:
        params = list(inspect.signature(handler).parameters.values())[1:]

        @wraps(handler)
        async def page(**kwargs: Any) -> Any:
            report_unsaved_taps()
            principal = await current_principal()
            request = context.client.request
            if principal is None:  # signed out meanwhile (e.g. deactivated)
                return to_login(request)
            if not principal.can(allow):
                app.storage.user[_REFUSED_KEY] = request.url.path
                return RedirectResponse(landing_path(principal.role))
            refused = app.storage.user.pop(_REFUSED_KEY, None)
            if refused:
                show_refusal(principal, refused)
            sign_out_when_ended(principal)
            result = handler(principal, **kwargs)
            return await result if inspect.isawaitable(result) else result

        page.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        ui.page(path, title=title, reconnect_timeout=reconnect_timeout)(page)
        return handler

    return decorate


def sign_out_when_ended(principal: Principal) -> None:
    """When the user's sessions end while this page is open, reload it: the guard then sends the
    browser to the login page (and back here after signing in)."""
    def ended(event: DomainEvent) -> bool:
        return event.type is EventType.SESSIONS_ENDED and principal.user_id in event.user_ids

    on_event(ended, lambda _event: ui.navigate.reload())


def show_refusal(principal: Principal, refused_path: str) -> None:
    """A banner on top of the home page a refused visitor was sent to."""
    with ui.row().classes("w-full items-center no-wrap gap-3 q-pa-md bg-red-1 text-negative").props(
            'role=alert data-testid="forbidden"'):
        ui.icon("block", size="md")
        with ui.column().classes("gap-0"):
            ui.label(REFUSAL).classes("text-subtitle1 text-weight-medium")
            ui.label(f"{refused_path} is not open to {principal.email} ({principal.role.value}): "
                     "here is your home page.").classes("text-body2").props('data-testid="refused-path"')
