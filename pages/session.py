"""The browser session of a signed-in user, and the guard every page goes through.

The session lives in `app.storage.user` (signed with STORAGE_SECRET). Anonymous visitors are
sent to `/login?redirect_to=...` by `AuthMiddleware`; `guarded_page` then loads the
`Principal` and refuses, with a clear message, a role the page is not meant for.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.middleware.base import BaseHTTPMiddleware

from db.enums import Role
from domain.rbac import Principal, landing_path, load_principal
from domain.unit_of_work import read_session

#: `/openapi.json` describes the API (no data; every route but login and health needs a token), for clients and tools.
PUBLIC_PATHS = frozenset({"/login", "/health", "/openapi.json"})
_UNGUARDED_PREFIXES = ("/_nicegui", "/api/", "/static/")


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends anonymous visitors of any page to the login page, remembering where they wanted to go."""

    async def dispatch(self, request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        if (
            path not in PUBLIC_PATHS
            and not path.startswith(_UNGUARDED_PREFIXES)
            and not app.storage.user.get("user_id")
        ):
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?redirect_to={quote(target, safe='')}")
        return await call_next(request)


def sign_in(principal: Principal) -> None:
    app.storage.user.update({"user_id": principal.user_id, "role": principal.role.value})


def sign_out() -> None:
    app.storage.user.clear()


async def current_principal() -> Principal | None:
    """The signed-in user's principal, re-read from the database (a deactivated user is out at once)."""
    user_id = app.storage.user.get("user_id")
    if not user_id:
        return None
    async with read_session() as session:
        principal = await load_principal(session, int(user_id))
    if principal is None:
        sign_out()
    return principal


PageHandler = Callable[..., Awaitable[Any] | Any]


def guarded_page(path: str, *, roles: Iterable[Role] | None = None, title: str | None = None,
                 reconnect_timeout: float | None = None) -> Callable[[PageHandler], PageHandler]:
    """Register `handler(principal, **path_params)` as a page open to `roles` (all roles if None).
    `reconnect_timeout`: how long the server keeps the page for a browser that lost its connection."""
    allowed = frozenset(roles) if roles is not None else None

    def decorate(handler: PageHandler) -> PageHandler:
        params = list(inspect.signature(handler).parameters.values())[1:]

        @wraps(handler)
        async def page(**kwargs: Any) -> Any:
            principal = await current_principal()
            if principal is None:
                return RedirectResponse(f"/login?redirect_to={quote(path, safe='')}")
            if allowed is not None and principal.role not in allowed:
                show_refusal(principal)
                return None
            result = handler(principal, **kwargs)
            return await result if inspect.isawaitable(result) else result

        page.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        ui.page(path, title=title, reconnect_timeout=reconnect_timeout)(page)
        return handler

    return decorate


def show_refusal(principal: Principal) -> None:
    with ui.column().classes("absolute-center items-center gap-4"):
        ui.icon("block", size="xl", color="negative")
        ui.label("You don't have access to this page.").classes("text-h6").props('data-testid="forbidden"')
        ui.label(f"Signed in as {principal.email} ({principal.role.value}).").classes("text-grey-7")
        ui.button("Go to my home page", on_click=lambda: ui.navigate.to(landing_path(principal.role)))
