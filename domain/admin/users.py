"""Company administration of user accounts: list, create, edit (role and locations),
deactivate/reactivate, reset password. ADMIN within their company; SUPER_ADMIN in any.

Rules: emails are unique regardless of case (stored lower-case); passwords have at least
MIN_PASSWORD_LENGTH characters; only a super admin grants SUPER_ADMIN (and super admins belong
to no company); location links point at locations of the user's own company; nobody
deactivates or demotes their own account. The password hash never leaves this module, not even
into the audit trail. Each field's checks are `domain.admin.schemas`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import LocationLinkKind, Role, UserStatus
from db.models import Company, Location, LoginAttempt, User, UserLocation
from domain.audit.record import audited_write, snapshot
from domain.errors import Forbidden, ValidationFailed
from domain.admin.schemas import LocationLink, NewUser, PasswordReset, UserChanges
from domain.paging import DEFAULT_PAGE_SIZE, Page, fetch_page, narrow, search_clause
from domain.access.passwords import hash_password
from domain.access.rbac import Principal, user_scope
from domain.access.revocation import end_sessions
from domain.admin.tenancy import (
    change_state,
    changed_fields,
    company_filter,
    ensure_unique,
    flush_unique,
    load_owned,
    read_owned,
    record_change,
    target_company,
)
from domain.unit_of_work import read_session, unit_of_work

#: What the audit trail shows of a user (never the password hash).
AUDITED = ("email", "full_name", "phone", "role", "status", "company_id")


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "company_id": user.company_id, "email": user.email, "full_name": user.full_name,
        "phone": user.phone, "role": user.role.value, "status": user.status.value,
        "last_login_at": user.last_login_at, "created_at": user.created_at,
        "locations": sorted(({"location_id": link.location_id, "kind": link.kind.value}
                             for link in user.location_links),
                            key=lambda link: (link["location_id"], link["kind"])),
    }


def _links_of(user: User) -> list[tuple[int, LocationLinkKind]]:
    return sorted((link.location_id, link.kind) for link in user.location_links)


async def list_users(principal: Principal, *, company_id: int | None = None, search: str | None = None,
                     role: Role | None = None, status: UserStatus | None = None, page: int = 1,
                     page_size: int = DEFAULT_PAGE_SIZE) -> Page[dict[str, Any]]:
    query = narrow(
        select(User, Company.timezone).outerjoin(Company, Company.id == User.company_id)
        .where(user_scope(principal), company_filter(principal, company_id, User.company_id)),
        search_clause(search, User.email, User.full_name),
        User.role == role if role is not None else None,
        User.status == status if status is not None else None,
    )
    async with read_session() as session:
        return await fetch_page(session, query.order_by(User.full_name, User.id), page, page_size, _listed)


def _listed(row: Any) -> dict[str, Any]:
    """A user of the list, with their company's time zone (times on the page read in it)."""
    user, timezone = row
    return {**user_view(user), "timezone": timezone or "UTC"}


async def get_user(principal: Principal, user_id: int) -> dict[str, Any]:
    return await read_owned(principal, User, user_id, "user", user_view)


def _check_role(principal: Principal, role: Role, company_id: int | None) -> None:
    if role is Role.SUPER_ADMIN and not principal.is_super_admin:
        raise Forbidden("only a super admin may grant the SUPER_ADMIN role")
    if role is Role.SUPER_ADMIN and company_id is not None:
        raise ValidationFailed("a super admin belongs to no company: create a new super admin account instead")


async def _email_taken(session: AsyncSession, email: str, except_id: int | None = None) -> None:
    await ensure_unique(session, User, "email", email, f"a user with the email {email} already exists",
                        except_id=except_id)


def _links(items: Iterable[LocationLink]) -> list[tuple[int, LocationLinkKind]]:
    return sorted({(link.location_id, link.kind) for link in items})


async def _check_links(session: AsyncSession, links: Iterable[tuple[int, LocationLinkKind]],
                       company_id: int | None) -> None:
    wanted = {location_id for location_id, _ in links}
    if not wanted:
        return
    if company_id is None:
        raise ValidationFailed("a super admin has no locations")
    found = dict((await session.execute(
        select(Location.id, Location.company_id).where(Location.id.in_(wanted)))).tuples().all())
    if unknown := sorted(wanted - set(found)):
        raise ValidationFailed(f"unknown location(s): {', '.join(map(str, unknown))}")
    if foreign := sorted(i for i, owner in found.items() if owner != company_id):
        raise Forbidden(f"location(s) {', '.join(map(str, foreign))} belong to another company")


@audited_write
async def create_user(principal: Principal, data: Mapping[str, Any] | NewUser) -> dict[str, Any]:
    """`data`: email, full_name, role, password, optional phone, company_id (super admin),
    locations [{location_id, kind}]."""
    new = NewUser.parse(data)
    company_id = new.company_id
    values = new.model_dump(exclude_unset=True, exclude={"company_id", "password", "locations"})
    links = _links(new.locations or ())
    password_hash = await asyncio.to_thread(hash_password, new.password)
    async with unit_of_work() as session:
        if values["role"] is Role.SUPER_ADMIN and principal.is_super_admin and company_id is None:
            owner: int | None = None
        else:
            owner = await target_company(session, principal, company_id)
        _check_role(principal, values["role"], owner)
        await _email_taken(session, values["email"])
        await _check_links(session, links, owner)
        user = User(company_id=owner, password_hash=password_hash, status=UserStatus.ACTIVE, **values)
        user.location_links = [UserLocation(location_id=i, kind=k) for i, k in links]
        session.add(user)
        await flush_unique(session, f"a user with the email {values['email']}")
        record_change(session, principal, "create", "user", user.id, owner,
                      new={**snapshot(user, AUDITED), "locations": _links_of(user)})
        return user_view(user)


@audited_write
async def update_user(principal: Principal, user_id: int,
                      changes: Mapping[str, Any] | UserChanges) -> dict[str, Any]:
    """Edit any of email, full_name, phone, role, locations (the whole list of links)."""
    checked = UserChanges.parse(changes)
    values = checked.model_dump(exclude_unset=True, exclude={"locations"})
    links = _links(checked.locations) if checked.locations is not None else None
    async with unit_of_work() as session:
        user = await load_owned(session, principal, User, user_id, "user")
        if "role" in values:
            _check_role(principal, values["role"], user.company_id)
            if user.id == principal.user_id and values["role"] is not user.role:
                raise ValidationFailed("you cannot change your own role")
        if "email" in values:
            await _email_taken(session, values["email"], except_id=user.id)
        old, new = changed_fields(user, values)
        if links is not None and links != _links_of(user):
            await _check_links(session, links, user.company_id)
            old["locations"], new["locations"] = _links_of(user), links
            kept = {(link.location_id, link.kind): link for link in user.location_links}
            user.location_links = [kept.get(link) or UserLocation(location_id=link[0], kind=link[1]) for link in links]
        if not new:
            raise ValidationFailed("nothing to change: the values are the same as before")
        await flush_unique(session, f"a user with the email {user.email}")
        if "role" in new:  # tokens and sessions of the old role end: the user signs in as the new one
            await end_sessions(session, user.id)
        record_change(session, principal, "update", "user", user.id, user.company_id, old=old, new=new)
        return user_view(user)


def _not_self(principal: Principal, user_id: int, what: str) -> None:
    if principal.user_id == user_id:
        raise ValidationFailed(f"you cannot {what} your own account")


@audited_write
async def deactivate_user(principal: Principal, user_id: int) -> dict[str, Any]:
    """The user can no longer sign in; open sessions and tokens stop working at once (and stay
    ended if the user is reactivated)."""
    _not_self(principal, user_id, "deactivate")
    return user_view(await change_state(principal, User, "user", user_id, "status", UserStatus.INACTIVE,
                                        "deactivate", already="inactive", also=end_sessions))


@audited_write
async def reactivate_user(principal: Principal, user_id: int) -> dict[str, Any]:
    return user_view(await change_state(principal, User, "user", user_id, "status", UserStatus.ACTIVE,
                                        "reactivate", already="active"))


@audited_write
async def reset_password(principal: Principal, user_id: int, new_password: str) -> None:
    """Set a new password chosen by the admin; it also lifts a sign-in lockout of the account and
    ends the user's tokens and page sessions (whoever knew the old password is out)."""
    password = PasswordReset.parse({"password": new_password}).password
    password_hash = await asyncio.to_thread(hash_password, password)
    async with unit_of_work() as session:
        user = await load_owned(session, principal, User, user_id, "user")
        user.password_hash = password_hash
        await end_sessions(session, user.id)
        await session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email,
                                                         LoginAttempt.success.is_(False)))
        record_change(session, principal, "reset_password", "user", user.id, user.company_id,
                      new={"password": "changed", "lockout_cleared": True})
