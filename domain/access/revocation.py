"""Ending a user's tokens and page sessions at once, on every instance.

Bearer tokens are stateless JWTs and page sessions are signed cookies: neither can be taken back
from the browser. Both carry the user's `token_version` from when they were issued, and every
request compares it with the row (`principal_for_session`, one query it makes anyway), so raising
the version refuses every older token and session from the next request on. Logout, a password
reset, deactivation and a role change raise it, in the transaction of that change; pages
already open in a browser hear of it (an event) and reload into the login page.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """Refuse every token and page session of `user_id` issued so far (in the caller's transaction;
    an increment in SQL, so two concurrent revocations both count). Pages the user has open, on
    any instance, are told after commit and go to the login page (`SESSIONS_ENDED`)."""
    company_id = await session.scalar(update(User).where(User.id == user_id)
                                      .values(token_version=User.token_version + 1).returning(User.company_id))
    events.queue(session, DomainEvent(EventType.SESSIONS_ENDED, company_id, user_ids=(user_id,)))
