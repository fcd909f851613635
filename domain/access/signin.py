"""Signing in: password check, the brute-force lockout, and the audit of every attempt; and
who is signed in: the one loader of the principal behind a request, for the API and the pages."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CompanyStatus, Role, UserStatus
from db.models import Company, LoginAttempt, User, utcnow
from domain.access.passwords import hash_password, verify_password
from domain.access.rbac import Principal, load_principal, principal_of
from domain.access.revocation import end_sessions
from domain.audit import record as audit
from domain.errors import Forbidden, NotAuthenticated, TooManyRequests
from domain.runtime.context import request_ip
from domain.runtime.locks import transaction_lock
from domain.unit_of_work import read_session, unit_of_work

MAX_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
BAD_CREDENTIALS = "wrong email or password"
INACTIVE_ACCOUNT = "this account is not active"
SUSPENDED_COMPANY = "your company's account is suspended: contact your administrator"


def normalise_email(email: str) -> str:
    return email.strip().lower()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """Checked against when the email is unknown, so both cases take the same time."""
    return hash_password("decoy-password-never-valid")


async def _password_matches(user: User | None, password: str) -> bool:
    """argon2 is deliberately slow: it runs in a thread so the event loop never waits on it."""
    stored = user.password_hash if user is not None else await asyncio.to_thread(_decoy_hash)
    matches = await asyncio.to_thread(verify_password, password, stored)
    return matches and user is not None


@audit.audited_write
async def authenticate(email: str, password: str, *, required_role: Role | None = None) -> Principal:
    """The principal for valid credentials of an active user of an active company.

    Raises `TooManyRequests` after MAX_FAILURES failures for the email within LOCKOUT_WINDOW
    (for the rest of that window), else `NotAuthenticated`. With `required_role` (the super
    admin portal), valid credentials of another role raise `Forbidden` and do not count as a
    failure. Every attempt is recorded and audited; the password never is.

    The lockout holds under concurrency: an attempt is first recorded as a failure, under a lock
    on the email, in a transaction of its own (`_reserve_attempt`); only then is the password
    checked, and a success turns the record into one. So however many guesses arrive at once, at
    most MAX_FAILURES passwords are ever checked in a window.
    """
    email = normalise_email(email)
    attempt_id = await _reserve_attempt(email)
    if attempt_id is None:
        raise TooManyRequests(
            f"too many failed sign-in attempts for this email: try again in {LOCKOUT_WINDOW.seconds // 60} minutes"
        )
    refusal: Exception | None = None
    async with unit_of_work() as session:
        user = await session.scalar(select(User).where(User.email == email))
        company_id = user.company_id if user else None
        user_id = user.id if user else None
        reason = await _refusal_reason(session, user, password)
        if reason is None and required_role is not None and user is not None and user.role is not required_role:
            await session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))  # not a failure
            audit.record(session, None, "login_refused", "user", user_id, new={"reason": "wrong_portal"},
                         company_id=company_id, actor_email=email)
            refusal = Forbidden(f"this sign-in is for {required_role.value.replace('_', ' ').lower()}s only")
        elif reason is None and user is not None:
            await session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True))
            user.last_login_at = utcnow()
            principal = principal_of(user)
            audit.record(session, principal, "login", "user", user.id)
        else:
            audit.record(session, None, "login_failed", "user", user_id, new={"reason": reason},
                         company_id=company_id, actor_email=email)
            messages = {"inactive": INACTIVE_ACCOUNT, "company_suspended": SUSPENDED_COMPANY}
            refusal = NotAuthenticated(messages.get(reason or "", BAD_CREDENTIALS))
    if refusal is not None:
        raise refusal
    return principal


async def _reserve_attempt(email: str) -> int | None:
    """Record an attempt for `email` as a failure and return its id; None (recorded as a locked
    attempt instead) when the email is locked out.

    The attempt is written before the failures are counted, under `transaction_lock`: on
    PostgreSQL concurrent attempts for the email take turns, on SQLite the write itself holds the
    database until commit. Either way each attempt counts every earlier one, committed or not."""
    async with unit_of_work() as session:
        await transaction_lock(session, f"sign-in:{email}")
        attempt = LoginAttempt(email=email, success=False, ip=request_ip.get())
        session.add(attempt)
        await session.flush()
        failures = await session.scalar(
            select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.email == email, LoginAttempt.success.is_(False),
                LoginAttempt.at >= utcnow() - LOCKOUT_WINDOW)
        ) or 0
        if failures <= MAX_FAILURES:
            return attempt.id
        await session.delete(attempt)  # a locked attempt checks nothing: it is audited, not counted
        user = (await session.execute(select(User.id, User.company_id).where(User.email == email))).first()
        audit.record(session, None, "login_locked", "user", user.id if user else None,
                     company_id=user.company_id if user else None, actor_email=email)
        return None


async def _refusal_reason(session: AsyncSession, user: User | None, password: str) -> str | None:
    """Why these credentials may not sign in, or None when they may."""
    if not await _password_matches(user, password):
        return "bad_credentials"
    assert user is not None
    if user.status is not UserStatus.ACTIVE:
        return "inactive"
    if user.company_id is not None:
        status = await session.scalar(select(Company.status).where(Company.id == user.company_id))
        if status is not CompanyStatus.ACTIVE:
            return "company_suspended"
    return None


async def principal_for_session(user_id: int, token_version: object) -> Principal | None:
    """The principal of the signed-in user `user_id` (from a bearer token or the page session,
    issued at `token_version`), re-read from the database on every request: None for an unknown
    or inactive user, a user of a suspended company, or a token or session ended since it was
    issued (`domain/access/revocation.py`), so they are out at once."""
    async with read_session() as session:
        principal = await load_principal(session, user_id)
    if principal is None or type(token_version) is not int or token_version != principal.token_version:
        return None
    return principal


@audit.audited_write
async def authenticate_super_admin(email: str, password: str) -> Principal:
    """`authenticate` for the super admin portal: other valid accounts are refused (403)."""
    return await authenticate(email, password, required_role=Role.SUPER_ADMIN)


@audit.audited_write
async def record_logout(principal: Principal) -> None:
    """Sign out: ends every token and page session of the user, on every device (a stolen token
    or cookie dies with the logout; one version per user cannot end a single device's)."""
    async with unit_of_work() as session:
        await end_sessions(session, principal.user_id)
        audit.record(session, principal, "logout", "user", principal.user_id)
