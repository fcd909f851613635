"""Tenants and their people, branches and trucks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.enums import CompanyStatus, LocationLinkKind, Role, UserStatus
from db.models.base import Base, TimestampMixin, enum_column


class Company(TimestampMixin, Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    status: Mapped[CompanyStatus] = mapped_column(
        enum_column(CompanyStatus, "company_status"), default=CompanyStatus.ACTIVE
    )
    #: Whether the customer's tracking page shows money (the estimated value); off unless an admin turns it on.
    customer_link_shows_financials: Mapped[bool] = mapped_column(default=False, server_default=false())

    locations: Mapped[list[Location]] = relationship(back_populates="company", cascade="all, delete-orphan")


class Location(TimestampMixin, Base):
    """A branch of a company, with its own timezone: "today" is computed in it."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    province: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    external_id: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company] = relationship(back_populates="locations")
    trucks: Mapped[list[Truck]] = relationship(back_populates="location", cascade="all, delete-orphan")


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role = 'SUPER_ADMIN' OR company_id IS NOT NULL", name="company_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus, "user_status"), default=UserStatus.ACTIVE)
    last_login_at: Mapped[datetime | None]
    #: Signed into every token and page session of the user; raising it ends them all at once
    #: (logout, password reset, deactivation, role change: `domain/access/revocation.py`).
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")

    location_links: Mapped[list[UserLocation]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class UserLocation(Base):
    """A user's link to a location: ASSIGNED (works there) or MANAGED (manages it)."""

    __tablename__ = "user_locations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[LocationLinkKind] = mapped_column(enum_column(LocationLinkKind, "link_kind"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="location_links")


class Truck(TimestampMixin, Base):
    __tablename__ = "trucks"
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)

    location: Mapped[Location] = relationship(back_populates="trucks")


class ResourceLoan(TimestampMixin, Base):
    """A truck or a crew member lent to another location for a range of days."""

    __tablename__ = "resource_loans"
    __table_args__ = (
        CheckConstraint("(truck_id IS NULL) <> (user_id IS NULL)", name="one_resource"),
        CheckConstraint("starts_on <= ends_on", name="date_order"),
        Index("ix_resource_loans_location_dates", "to_location_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    truck_id: Mapped[int | None] = mapped_column(ForeignKey("trucks.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
