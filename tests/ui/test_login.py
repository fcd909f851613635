"""Login page and role routing, through NiceGUI's simulated user."""

from __future__ import annotations

import httpx
import pytest
from nicegui import app
from nicegui.testing import User
from sqlalchemy import update

from db.enums import UserStatus
from db.models import User as UserModel
from db.seed import DEMO_PASSWORD
from domain.admin.users import reset_password
from domain.unit_of_work import unit_of_work
from tests.principals import principal_for

#: The password check (argon2) runs off the event loop and takes a few hundred ms: wait for it.
SIGN_IN_RETRIES = 100


async def _sign_in(user: User, email: str, password: str = DEMO_PASSWORD) -> None:
    await user.open("/login")
    user.find(marker="email").type(email)
    user.find(marker="password").type(password)
    user.find(marker="sign-in").click()


async def test_login_page_lists_demo_accounts(demo: str, user: User) -> None:
    await user.open("/login")
    await user.should_see("Demo accounts")
    await user.should_see("dispatcher@demo.ccrm")
    await user.should_see(f"Password for all: {DEMO_PASSWORD}")


@pytest.mark.parametrize(
    ("email", "landing", "title"),
    [
        ("dispatcher@demo.ccrm", "/board", "Dispatch board"),
        ("admin@demo.ccrm", "/board", "Dispatch board"),
        ("driver@demo.ccrm", "/mobile", "My journeys"),
        ("superadmin@demo.ccrm", "/super-admin", "Companies"),
    ],
)
async def test_each_role_lands_on_its_home(demo: str, user: User, email: str, landing: str, title: str) -> None:
    await _sign_in(user, email)
    await user.should_see(title, retries=SIGN_IN_RETRIES)
    assert user.client is not None and user.client.request.url.path == landing  # after /login/complete


async def test_wrong_password_shows_a_clear_error(demo: str, user: User) -> None:
    await _sign_in(user, "dispatcher@demo.ccrm", "not-the-password")
    await user.should_see("wrong email or password", retries=SIGN_IN_RETRIES)


async def test_anonymous_visitor_is_sent_to_login_with_redirect(demo: str, user: User) -> None:
    await user.open("/board")
    await user.should_see("Sign in to your account")


async def test_a_crew_member_is_sent_from_the_dispatch_board_to_their_home(demo: str, user: User) -> None:
    await _sign_in(user, "driver@demo.ccrm")
    await user.should_see("My journeys", retries=SIGN_IN_RETRIES)
    await user.open("/board")
    await user.should_see("You don't have access to this page.")
    await user.should_see("/board is not open to driver@demo.ccrm (DRIVER): here is your home page.")
    await user.should_see("My journeys")
    await user.should_not_see("Dispatch board")


async def test_a_session_ended_meanwhile_returns_to_the_very_page_after_signing_in(demo: str, user: User) -> None:
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see("Dispatch board", retries=SIGN_IN_RETRIES)
    async with unit_of_work() as s:  # deactivated while signed in: the next page sends them to sign in
        await s.execute(update(UserModel).where(UserModel.email == "dispatcher@demo.ccrm")
                        .values(status=UserStatus.INACTIVE))
    response = await user.http_client.get("/journeys/7?tab=crew", follow_redirects=False)
    assert response.headers["location"] == "/login?redirect_to=%2Fjourneys%2F7%3Ftab%3Dcrew"


async def test_a_session_cookie_planted_before_sign_in_stays_anonymous(demo: str, user: User) -> None:
    """Session fixation: an attacker fetches /login anonymously, plants that cookie in the victim's
    browser, and waits for the victim to sign in. Signing in moves the browser to a fresh session id."""
    await user.open("/login")
    planted = user.http_client.cookies.get("session")
    assert planted
    await _sign_in(user, "manager@demo.ccrm")
    await user.should_see("Dispatch board", retries=SIGN_IN_RETRIES)
    assert user.http_client.cookies.get("session") != planted
    assert (await user.http_client.get("/api/auth/me")).status_code == 200  # the victim is signed in
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test",
                                 cookies={"session": planted}) as attacker:
        assert (await attacker.get("/api/auth/me")).status_code == 401
        refused = await attacker.get("/board", follow_redirects=False)
        assert refused.status_code in (302, 303, 307) and refused.headers["location"].startswith("/login")


async def test_a_sign_in_ticket_works_once(demo: str, user: User) -> None:
    await user.open("/login")
    tickets: list[str] = []
    original = user.navigate.to

    def remember(target: object, new_tab: bool = False) -> None:
        if isinstance(target, str) and target.startswith("/login/complete"):
            tickets.append(target)
        original(target, new_tab)  # type: ignore[arg-type]

    user.navigate.to = remember  # type: ignore[method-assign]
    user.find(marker="email").type("manager@demo.ccrm")
    user.find(marker="password").type(DEMO_PASSWORD)
    user.find(marker="sign-in").click()
    await user.should_see("Dispatch board", retries=SIGN_IN_RETRIES)
    (used,) = tickets
    again = await user.http_client.get(used, follow_redirects=False)
    assert again.headers["location"] == "/login"
    for forged in ("/login/complete", "/login/complete?ticket=%C3%A9t%C3%A9", "/login/complete?ticket=x"):
        assert (await user.http_client.get(forged, follow_redirects=False)).headers["location"] == "/login"


async def test_an_open_page_signs_out_when_an_admin_resets_the_password(demo: str, user: User) -> None:
    """Not only the next request: the page already open in the browser goes to the login page."""
    await _sign_in(user, "dispatcher@demo.ccrm")
    await user.should_see("Dispatch board", retries=SIGN_IN_RETRIES)
    admin = await principal_for("admin@demo.ccrm")
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    await reset_password(admin, dispatcher.user_id, "another-long-password")
    await user.should_see("Sign in to your account")
