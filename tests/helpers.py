"""Small helpers shared by the tests: API tokens, row counts, principals of demo accounts."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from db.seed import DEMO_PASSWORD
from domain.rbac import Principal, load_principal
from domain.unit_of_work import read_session
from db.models import User


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
