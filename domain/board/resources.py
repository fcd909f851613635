"""Which trucks and crew members a location may use on a day: its own active ones, plus those
explicitly lent to it (a `ResourceLoan` covering the day)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, exists, select

from db.enums import LocationLinkKind, Role, UserStatus
from db.models import ResourceLoan, Truck, User, UserLocation

#: User roles that may be put on a crew (FOREMAN is a job role one of them takes).
CREW_USER_ROLES = (Role.DRIVER, Role.MOVER)


def _loan_covers(location_id: int, day: date) -> ColumnElement[bool]:
    return and_(ResourceLoan.to_location_id == location_id, ResourceLoan.starts_on <= day,
                ResourceLoan.ends_on >= day)


def truck_lent(location_id: int, day: date) -> ColumnElement[bool]:
    """True for a truck lent to the location on the day."""
    return exists().where(ResourceLoan.truck_id == Truck.id, _loan_covers(location_id, day))


def user_lent(location_id: int, day: date) -> ColumnElement[bool]:
    return exists().where(ResourceLoan.user_id == User.id, _loan_covers(location_id, day))


def user_works_at(location_id: int) -> ColumnElement[bool]:
    return exists().where(
        UserLocation.user_id == User.id, UserLocation.location_id == location_id,
        UserLocation.kind == LocationLinkKind.ASSIGNED,
    )


def usable_trucks(company_id: int, location_id: int, day: date) -> ColumnElement[bool]:
    """WHERE clause: the active trucks the location may use on the day."""
    return and_(
        Truck.company_id == company_id, Truck.active.is_(True),
        (Truck.location_id == location_id) | truck_lent(location_id, day),
    )


def usable_crew(company_id: int, location_id: int, day: date) -> ColumnElement[bool]:
    """WHERE clause: the active drivers and movers the location may put on a crew on the day."""
    return and_(
        User.company_id == company_id, User.status == UserStatus.ACTIVE, User.role.in_(CREW_USER_ROLES),
        user_works_at(location_id) | user_lent(location_id, day),
    )


def trucks_query(company_id: int, location_id: int, day: date):  # type: ignore[no-untyped-def]
    """(Truck, lent) rows usable by the location on the day, by number."""
    return (
        select(Truck, Truck.location_id != location_id)
        .where(usable_trucks(company_id, location_id, day))
        .order_by(Truck.number)
    )


def crew_query(company_id: int, location_id: int, day: date):  # type: ignore[no-untyped-def]
    """(User, lent) rows usable by the location on the day, drivers first, then by name."""
    return (
        select(User, ~user_works_at(location_id))
        .where(usable_crew(company_id, location_id, day))
        .order_by(User.role, User.full_name, User.id)
    )
