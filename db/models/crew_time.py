"""Crew time: clock events on journeys, approved timesheet days, and each company's time rules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import ClockKind
from db.models.base import Base, BigId, enum_column, utcnow


class ClockEvent(Base):
    """One person's clock event on a journey: start of day, arrivals, departure, breaks, end of day.

    `at` is the time that counts (the phone's time bounded against the server's, or the office's
    correction); `made_at` is the phone's own time as it was sent. One tap that clocks the whole
    crew writes one row per person, all with the tap's `client_key`."""

    __tablename__ = "clock_events"
    __table_args__ = (
        UniqueConstraint("user_id", "client_key"),
        Index("ix_clock_events_company_date", "company_id", "work_date"),
        Index("ix_clock_events_user_date", "user_id", "work_date"),
        Index("ix_clock_events_journey", "journey_id"),
        Index("ix_clock_events_recorder_key", "recorded_by_id", "client_key"),
        CheckConstraint("(lat IS NULL) = (lng IS NULL)", name="position_pair"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The journey's date: the timesheet day the event counts on.
    work_date: Mapped[date]
    kind: Mapped[ClockKind] = mapped_column(enum_column(ClockKind, "clock_kind"))
    at: Mapped[datetime]
    made_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    client_key: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[datetime | None]
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    correction_reason: Mapped[str | None] = mapped_column(Text)


class TimesheetApproval(Base):
    """A person's day approved by a manager: locked against edits but a correction with a reason."""

    __tablename__ = "timesheet_approvals"
    __table_args__ = (UniqueConstraint("user_id", "work_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    work_date: Mapped[date]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompanyTimeRules(Base):
    """A company's rules for crew time (`domain/crew_time/rules.py`'s defaults while it has no row:
    500 m, overtime after 8 h a day and 40 h a week, each day to the nearest 15 minutes)."""

    __tablename__ = "company_time_rules"
    __table_args__ = (
        CheckConstraint("max_distance_m > 0", name="distance_positive"),
        CheckConstraint("rounding_minutes BETWEEN 1 AND 60", name="rounding_range"),
    )

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    #: A clock event farther than this from its branch is flagged.
    max_distance_m: Mapped[int]
    #: Minutes a day after which time is overtime (None: no daily rule).
    daily_overtime_after_minutes: Mapped[int | None]
    #: Regular minutes a week (Monday to Sunday) after which time is overtime (None: no weekly rule).
    weekly_overtime_after_minutes: Mapped[int | None]
    #: Each day's worked time is rounded to the nearest this many minutes (1: not rounded).
    rounding_minutes: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
