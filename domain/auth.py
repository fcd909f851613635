"""Signing in: password check, the brute-force lockout, and the audit of every attempt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from db.enums import UserStatus
from db.models import LoginAttempt, User, utcnow
from domain import audit
from domain.context import request_ip
from domain.errors import NotAuthenticated, TooManyRequests
from domain.passwords import verify_password
from domain.rbac import Principal, principal_of
from domain.unit_of_work import unit_of_work

MAX_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
BAD_CREDENTIALS = "wrong email or password"


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def authenticate(email: str, password: str) -> Principal:
    """The principal for valid credentials of an active user.

    Raises `TooManyRequests` after MAX_FAILURES failures for the email within LOCKOUT_WINDOW
    (for the rest of that window), else `NotAuthenticated`. Every attempt is recorded and audited.
    """
    email = normalise_email(email)
    since = utcnow() - LOCKOUT_WINDOW
    async with unit_of_work() as session:
        failures = await session.scalar(
            select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at >= since
            )
        ) or 0
        user = await session.scalar(select(User).where(User.email == email))
        company_id = user.company_id if user else None
        if failures >= MAX_FAILURES:
            audit.record(session, None, "login_locked", "user", user.id if user else None,
                         company_id=company_id, actor_email=email)
            locked = True
        else:
            locked = False
            valid = user is not None and verify_password(password, user.password_hash)
            active = user is not None and user.status is UserStatus.ACTIVE
            session.add(LoginAttempt(email=email, success=valid and active, ip=request_ip.get()))
            if valid and active:
                assert user is not None
                user.last_login_at = utcnow()
                principal = principal_of(user)
                audit.record(session, principal, "login", "user", user.id)
            else:
                reason = "inactive" if valid else "bad_credentials"
                audit.record(session, None, "login_failed", "user", user.id if user else None,
                             new={"reason": reason}, company_id=company_id, actor_email=email)
    if locked:
        raise TooManyRequests(
            f"too many failed sign-in attempts for this email: try again in {LOCKOUT_WINDOW.seconds // 60} minutes"
        )
    if not (valid and active):
        raise NotAuthenticated("this account is not active" if valid else BAD_CREDENTIALS)
    return principal


async def record_logout(principal: Principal) -> None:
    async with unit_of_work() as session:
        audit.record(session, principal, "logout", "user", principal.user_id)
