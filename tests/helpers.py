"""Small helpers shared by the tests: API tokens, row counts, principals, signing in on the page."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from nicegui.testing import User as SimulatedUser
from sqlalchemy import func, select

from db.models import User
from db.seed import DEMO_PASSWORD
from domain.access.rbac import Principal, load_principal
from domain.unit_of_work import read_session


async def token_for(client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD) -> str:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["data"]["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def count(model: Any, *where: Any) -> int:
    async with read_session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def principal_for(email: str) -> Principal:
    async with read_session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        assert user_id is not None, email
        principal = await load_principal(session, user_id)
    assert principal is not None, email
    return principal


async def sign_in(user: SimulatedUser, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login page and wait until it has navigated away. Argon2 takes its time,
    and on a loaded machine (two xdist workers, each beside served apps and Chromium) the second of
    two users signing in has waited more than 10 s: up to 30 s is allowed (a wait, not a timing)."""
    await user.open("/login")
    user.find(marker="email").type(email)
    user.find(marker="password").type(password)
    user.find(marker="sign-in").click()
    await user.should_not_see("Sign in to your account", retries=300)


async def eventually(check: Callable[[], bool], *, seconds: float = 5.0) -> None:
    """Wait for a background handler of the page to have done its work."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()
