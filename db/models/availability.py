"""When people and trucks cannot work, and what people are qualified for (the planner, the
assignment's checks and the suggested crews read these)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TimestampMixin

#: `weekdays` bit of Monday (date.weekday() 0); Sunday is 1 << 6.
ALL_WEEKDAYS = 0b1111111


class Unavailability(TimestampMixin, Base):
    """A person off (time off, sick, training) or a truck out of service, for whole local days
    from `starts_on` to `ends_on` (inclusive); with `weekdays`, only on those days of the week
    (a bit per weekday, Monday the lowest): "every Sunday" is a long range with one bit."""

    __tablename__ = "unavailabilities"
    __table_args__ = (
        CheckConstraint("(truck_id IS NULL) <> (user_id IS NULL)", name="one_resource"),
        CheckConstraint("starts_on <= ends_on", name="date_order"),
        CheckConstraint(f"weekdays IS NULL OR (weekdays >= 1 AND weekdays <= {ALL_WEEKDAYS})", name="weekday_bits"),
        Index("ix_unavailabilities_user_dates", "user_id", "starts_on", "ends_on"),
        Index("ix_unavailabilities_truck_dates", "truck_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    truck_id: Mapped[int | None] = mapped_column(ForeignKey("trucks.id", ondelete="CASCADE"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    weekdays: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class UserSkill(Base):
    """A skill or licence a person holds (a code of `domain.availability.skills.SKILLS`)."""

    __tablename__ = "user_skills"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)
