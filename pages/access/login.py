"""The login page (with the demo accounts in demo mode) and the role-aware landing redirect."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from components.forms import client_ip
from config import get_settings
from db.seed import demo_accounts
from domain.access.signin import authenticate, record_logout
from domain.errors import DomainError
from domain.access.rbac import landing_path
from pages.access.session import COMPLETE_PATH, begin_sign_in, complete_sign_in, current_principal, sign_out


def _safe_redirect(target: str | None) -> str | None:
    """Only same-site paths: an open redirect to another host is refused."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


async def login_page(redirect_to: str | None = None) -> RedirectResponse | None:
    principal = await current_principal()
    if principal is not None:
        return RedirectResponse(_safe_redirect(redirect_to) or landing_path(principal.role))

    async def submit() -> None:
        error.set_text("")
        try:
            with client_ip():
                who = await authenticate(email.value or "", password.value or "")
        except DomainError as exc:
            error.set_text(exc.message)
            return
        ui.navigate.to(begin_sign_in(who, _safe_redirect(redirect_to)))

    with ui.column().classes("absolute-center items-stretch w-96 max-w-full gap-3 p-4"):
        ui.label("C&C CRM").classes("text-h4 text-primary text-center")
        ui.label("Sign in to your account").classes("text-center text-grey-7")
        email = ui.input("Email").props('type=email autocomplete=username outlined data-testid="email"').mark("email")
        password = ui.input("Password", password=True, password_toggle_button=True).props(
            'autocomplete=current-password outlined data-testid="password"'
        ).mark("password")
        password.on("keydown.enter", submit)
        error = ui.label("").classes("text-negative").props('data-testid="login-error" role=alert')
        ui.button("Sign in", on_click=submit).props('data-testid="sign-in" size=lg').classes("w-full").mark("sign-in")
        if get_settings().demo_mode:
            _demo_accounts_card(email, password)
    return None


def _demo_accounts_card(email: ui.input, password: ui.input) -> None:
    with ui.card().classes("w-full").props('data-testid="demo-accounts" flat bordered'):
        ui.label("Demo accounts").classes("text-subtitle2")
        for account in demo_accounts():
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                ui.label(account["role"].replace("_", " ").title()).classes("text-caption text-grey-7 w-24")
                ui.link(account["email"]).classes("text-body2 cursor-pointer").on(
                    "click", lambda a=account: (email.set_value(a["email"]), password.set_value(a["password"]))
                )
        ui.label(f"Password for all: {demo_accounts()[0]['password']}").classes("text-caption")


async def complete_sign_in_route(request: Request, ticket: str = "", redirect_to: str | None = None) -> Response:
    """The HTTP half of signing in: a fresh session id for the signed-in browser, then its page."""
    principal = await complete_sign_in(request, ticket)
    if principal is None:  # used, expired or forged: sign in again
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(_safe_redirect(redirect_to) or landing_path(principal.role), status_code=303)


async def logout_page() -> RedirectResponse:
    principal = await current_principal()
    if principal is not None:
        await record_logout(principal)
    sign_out()
    return RedirectResponse("/login")


async def root_page() -> RedirectResponse:
    principal = await current_principal()
    return RedirectResponse(landing_path(principal.role) if principal else "/login")


def register() -> None:
    ui.page("/login", title="Sign in · C&C CRM")(login_page)
    app.get(COMPLETE_PATH, include_in_schema=False)(complete_sign_in_route)
    ui.page("/logout")(logout_page)
    ui.page("/")(root_page)
