"""Roles, permission flags and scopes: the one RBAC layer behind pages and API alike.

Scope is always applied in SQL: each `*_scope` function returns a WHERE clause built from the
principal, so rows outside a user's scope are never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CompanyStatus, LocationLinkKind, Role, UserStatus
from db.models import AuditEntry, Company, CrewAssignment, Journey, Location, Truck, User, UserLocation
from domain.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Permissions:
    """The flags of the SmartMoving integration plan, plus the app's own admin flags."""

    can_view_all_locations: bool = False
    can_view_all_jobs: bool = False
    can_view_all_companies: bool = False
    can_edit_jobs: bool = False
    can_assign_crew: bool = False
    can_view_financial_data: bool = False
    can_sync_data: bool = False
    can_view_smartmoving_data: bool = False
    can_approve_steps: bool = False
    can_manage_company: bool = False
    can_view_audit: bool = False


_ALL = Permissions(**{name: True for name in Permissions.__dataclass_fields__})

PERMISSIONS: dict[Role, Permissions] = {
    Role.SUPER_ADMIN: _ALL,
    Role.ADMIN: Permissions(
        can_view_all_locations=True, can_view_all_jobs=True, can_edit_jobs=True, can_assign_crew=True,
        can_view_financial_data=True, can_view_smartmoving_data=True, can_approve_steps=True,
        can_manage_company=True, can_view_audit=True,
    ),
    Role.MANAGER: Permissions(
        can_edit_jobs=True, can_assign_crew=True, can_view_financial_data=True,
        can_view_smartmoving_data=True, can_approve_steps=True,
    ),
    Role.DISPATCHER: Permissions(
        can_edit_jobs=True, can_assign_crew=True, can_view_smartmoving_data=True, can_approve_steps=True,
    ),
    Role.DRIVER: Permissions(),
    Role.MOVER: Permissions(),
    Role.AUDITOR: Permissions(
        can_view_all_locations=True, can_view_all_jobs=True, can_view_financial_data=True,
        can_view_smartmoving_data=True, can_view_audit=True,
    ),
}

CREW_ROLES = frozenset({Role.DRIVER, Role.MOVER})
DESKTOP_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER, Role.AUDITOR})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: everything the domain needs to decide, loaded once per request."""

    user_id: int
    role: Role
    company_id: int | None
    email: str = ""
    full_name: str = ""
    assigned_location_ids: frozenset[int] = field(default_factory=frozenset)
    managed_location_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def permissions(self) -> Permissions:
        return PERMISSIONS[self.role]

    @property
    def is_super_admin(self) -> bool:
        return self.role is Role.SUPER_ADMIN

    @property
    def scoped_location_ids(self) -> frozenset[int]:
        """The locations a MANAGER or DISPATCHER works on (others are not location-scoped)."""
        if self.role is Role.MANAGER:
            return self.managed_location_ids | self.assigned_location_ids
        return self.assigned_location_ids

    def require(self, flag: str) -> None:
        """Raise `Forbidden` unless the role has the permission flag `flag`."""
        if not getattr(self.permissions, flag):
            raise Forbidden(f"your role ({self.role.value}) may not do this")

    def require_company(self, company_id: int | None) -> None:
        if not self.is_super_admin and company_id != self.company_id:
            raise Forbidden("that belongs to another company")


def landing_path(role: Role) -> str:
    if role is Role.SUPER_ADMIN:
        return "/super-admin"
    if role in CREW_ROLES:
        return "/mobile"
    return "/dashboard"


async def load_principal(session: AsyncSession, user_id: int) -> Principal | None:
    """The principal of an active user of an active company (or a super admin), else None:
    unknown, inactive or suspended users and users of a suspended company are out at once.

    Runs on every request: one query (the user's columns joined with their location links),
    no User entity."""
    rows = (await session.execute(
        select(User.id, User.role, User.company_id, User.email, User.full_name, UserLocation.location_id,
               UserLocation.kind)
        .outerjoin(Company, Company.id == User.company_id)
        .outerjoin(UserLocation, UserLocation.user_id == User.id)
        .where(User.id == user_id, User.status == UserStatus.ACTIVE)
        .where(User.company_id.is_(None) | (Company.status == CompanyStatus.ACTIVE))
    )).all()
    if not rows:
        return None
    first = rows[0]
    links = [(row.location_id, row.kind) for row in rows if row.location_id is not None]
    return _principal(first.id, first.role, first.company_id, first.email, first.full_name, links)


def principal_of(user: User) -> Principal:
    return _principal(user.id, user.role, user.company_id, user.email, user.full_name,
                      [(link.location_id, link.kind) for link in user.location_links])


def _principal(user_id: int, role: Role, company_id: int | None, email: str, full_name: str,
               links: list[tuple[int, LocationLinkKind]]) -> Principal:
    return Principal(
        user_id=user_id,
        role=role,
        company_id=company_id,
        email=email,
        full_name=full_name,
        assigned_location_ids=frozenset(i for i, kind in links if kind is LocationLinkKind.ASSIGNED),
        managed_location_ids=frozenset(i for i, kind in links if kind is LocationLinkKind.MANAGED),
    )


def _location_scoped(p: Principal, location_column: ColumnElement, company_column: ColumnElement) -> ColumnElement[bool]:
    if p.is_super_admin:
        return true()
    if p.permissions.can_view_all_locations:
        return company_column == p.company_id
    if p.role in (Role.MANAGER, Role.DISPATCHER):
        return (company_column == p.company_id) & location_column.in_(sorted(p.scoped_location_ids))
    return false()


def journey_scope(p: Principal) -> ColumnElement[bool]:
    """Journeys the principal may see: crew see only the journeys they are on."""
    if p.role in CREW_ROLES:
        mine = select(CrewAssignment.journey_id).where(CrewAssignment.user_id == p.user_id)
        return (Journey.company_id == p.company_id) & Journey.id.in_(mine)
    return _location_scoped(p, Journey.location_id, Journey.company_id)


def location_scope(p: Principal) -> ColumnElement[bool]:
    if p.role in CREW_ROLES:
        return (Location.company_id == p.company_id) & Location.id.in_(sorted(p.assigned_location_ids))
    return _location_scoped(p, Location.id, Location.company_id)


def truck_scope(p: Principal) -> ColumnElement[bool]:
    if p.role in CREW_ROLES:
        return false()
    return _location_scoped(p, Truck.location_id, Truck.company_id)


def user_scope(p: Principal) -> ColumnElement[bool]:
    """Users the principal may see: company-wide for admins and auditors; for managers and
    dispatchers the users linked to their locations; crew see only themselves."""
    if p.is_super_admin:
        return true()
    if p.permissions.can_view_all_locations:
        return User.company_id == p.company_id
    if p.role in (Role.MANAGER, Role.DISPATCHER):
        linked = select(UserLocation.user_id).where(UserLocation.location_id.in_(sorted(p.scoped_location_ids)))
        return (User.company_id == p.company_id) & (User.id.in_(linked) | (User.id == p.user_id))
    return User.id == p.user_id


def audit_scope(p: Principal) -> ColumnElement[bool]:
    if p.is_super_admin:
        return true()
    if p.permissions.can_view_audit:
        return AuditEntry.company_id == p.company_id
    return false()
