"""The principal of a user by email, as the app would load it (for tests that act as demo users)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import User
from domain.access.rbac import Principal, load_principal
from domain.unit_of_work import read_session


async def principal_for(email: str) -> Principal:
    async with read_session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        assert user_id is not None, f"no user {email}"
        principal = await load_principal(session, user_id)
    assert principal is not None, f"{email} is not active"
    return principal
