"""Truck journeys, their crews, the six workflow steps and what crews record on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from db.enums import (
    ActivityKind,
    CrewRole,
    DataSource,
    ItemKind,
    JourneyStatus,
    JourneySyncStatus,
    MediaKind,
    Phase,
    StepStatus,
)
from db.models.base import Base, BigId, TimestampMixin, enum_column, utcnow

#: Journeys not yet closed: the few that the active lists page through, out of years of history.
OPEN_JOURNEY = text("status NOT IN ('COMPLETED', 'AUDITED', 'CANCELLED')")

#: Characters people put between the digits of a phone number.
PHONE_SEPARATORS = (" ", "-", "(", ")", ".", "+")


def phone_digits_of(phone: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """`phone` without its separators: what the phone's trigram index holds, and what the search
    box matches a phone fragment against (`domain/journeys/text_search.py`). Both use this one
    expression (its constants inline, never bound parameters), or PostgreSQL could not use the index."""
    expression: ColumnElement[Any] = phone.expression if isinstance(phone, InstrumentedAttribute) else phone
    for separator in PHONE_SEPARATORS:
        expression = func.replace(expression, literal_column(f"'{separator}'"), literal_column("''"))
    return expression
#: The columns the search box covers, each with a trigram index on PostgreSQL (`ILIKE '%term%'`).
SEARCHED_COLUMNS = ("customer_name", "job_number", "origin_address", "destination_address", "customer_phone",
                    "customer_email")


def _trigram_indexes() -> list[Index]:
    """GIN trigram indexes of the search box (PostgreSQL; plain indexes on SQLite, unused there)."""
    indexes = [Index(f"ix_journeys_{name}_trgm", name, postgresql_using="gin", postgresql_ops={name: "gin_trgm_ops"})
               for name in SEARCHED_COLUMNS]
    indexes.append(Index("ix_journeys_phone_digits_trgm", phone_digits_of(column("customer_phone")).label(
        "phone_digits"), postgresql_using="gin", postgresql_ops={"phone_digits": "gin_trgm_ops"}))
    return indexes


class Journey(TimestampMixin, Base):
    """One truck journey for one job on one day (the seeds' TruckJourney)."""

    __tablename__ = "journeys"
    __table_args__ = (
        UniqueConstraint("company_id", "external_id"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint(
            "scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end > scheduled_start",
            name="time_order",
        ),
        Index("ix_journeys_location_date", "location_id", "journey_date"),
        Index("ix_journeys_company_date", "company_id", "journey_date"),
        Index("ix_journeys_external_id", "external_id"),
        Index("ix_journeys_company_opportunity", "company_id", "external_opportunity_id"),
        Index("ix_journeys_truck_date", "truck_id", "journey_date"),
        # Partial: the active lists (`status IN` the open ones, which implies this) read these,
        # in date order, instead of a company's or a branch's whole history; `status` makes the
        # counts index-only.
        Index("ix_journeys_open_company_date", "company_id", "journey_date", "status",
              postgresql_where=OPEN_JOURNEY, sqlite_where=OPEN_JOURNEY),
        Index("ix_journeys_open_location_date", "location_id", "journey_date", "status",
              postgresql_where=OPEN_JOURNEY, sqlite_where=OPEN_JOURNEY),
        *_trigram_indexes(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    journey_date: Mapped[date]
    status: Mapped[JourneyStatus] = mapped_column(
        enum_column(JourneyStatus, "journey_status"), default=JourneyStatus.SCHEDULED
    )
    current_phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"), default=Phase.CREATION)
    progress: Mapped[int] = mapped_column(default=0)
    truck_id: Mapped[int | None] = mapped_column(ForeignKey("trucks.id", ondelete="SET NULL"))
    scheduled_start: Mapped[datetime | None]
    scheduled_end: Mapped[datetime | None]
    actual_start: Mapped[datetime | None]
    actual_end: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)

    # SmartMoving
    data_source: Mapped[DataSource] = mapped_column(enum_column(DataSource, "data_source"), default=DataSource.MANUAL)
    external_id: Mapped[str | None] = mapped_column(String(100))
    external_data: Mapped[dict[str, Any] | None]
    #: Hash of the SmartMoving listing entry: details are refetched only when it changes.
    external_hash: Mapped[str | None] = mapped_column(String(64))
    #: The SmartMoving opportunity of the job (a webhook names opportunities, not jobs).
    external_opportunity_id: Mapped[str | None] = mapped_column(String(100))
    #: Why the sync cancelled this journey ("cancelled in SmartMoving", "no longer in
    #: SmartMoving", ...); None while SmartMoving has the job booked. A journey the sync
    #: cancelled returns to its live status when the job is booked again.
    sync_reason: Mapped[str | None] = mapped_column(String(200))
    job_number: Mapped[str | None] = mapped_column(String(40))
    last_sync_at: Mapped[datetime | None]
    sync_status: Mapped[JourneySyncStatus] = mapped_column(
        enum_column(JourneySyncStatus, "journey_sync_status"), default=JourneySyncStatus.NOT_SYNCED
    )

    # Customer and job
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_phone: Mapped[str | None] = mapped_column(String(40))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    origin_address: Mapped[str | None] = mapped_column(String(400))
    destination_address: Mapped[str | None] = mapped_column(String(400))
    service_type: Mapped[str | None] = mapped_column(String(120))
    move_size: Mapped[str | None] = mapped_column(String(120))
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    crew: Mapped[list[CrewAssignment]] = relationship(back_populates="journey", cascade="all, delete-orphan")
    steps: Mapped[list[JourneyStep]] = relationship(
        back_populates="journey", cascade="all, delete-orphan", order_by="JourneyStep.position"
    )


class CrewAssignment(Base):
    __tablename__ = "crew_assignments"
    __table_args__ = (
        UniqueConstraint("journey_id", "user_id"),
        Index("ix_crew_assignments_user_date", "user_id", "journey_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Copy of the journey's date so "my journeys today" is one index lookup.
    journey_date: Mapped[date]
    role: Mapped[CrewRole] = mapped_column(enum_column(CrewRole, "crew_role"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    journey: Mapped[Journey] = relationship(back_populates="crew")


class JourneyStep(Base):
    """One of the six phases of a journey, as it is being worked."""

    __tablename__ = "journey_steps"
    __table_args__ = (UniqueConstraint("journey_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"))
    position: Mapped[int]
    status: Mapped[StepStatus] = mapped_column(enum_column(StepStatus, "step_status"), default=StepStatus.PENDING)
    started_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    journey: Mapped[Journey] = relationship(back_populates="steps")
    activities: Mapped[list[StepActivity]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="StepActivity.id"
    )


class StepActivity(Base):
    """Something recorded on a step: a checklist answer, a photo, a signature, a reading."""

    __tablename__ = "step_activities"
    __table_args__ = (Index("ix_step_activities_step", "step_id", "item_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("journey_steps.id", ondelete="CASCADE"))
    item_key: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The phone's idempotency key when the record came from its outbox (see db/models/outbox.py).
    client_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    step: Mapped[JourneyStep] = relationship(back_populates="activities")


class PhaseItemTemplate(TimestampMixin, Base):
    """One checklist item of a phase; the workflow is this data, not code branches."""

    __tablename__ = "phase_item_templates"
    __table_args__ = (UniqueConstraint("company_id", "phase", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase, "phase"))
    key: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind, "item_kind"))
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Media(Base):
    """A stored file (photo or signature), named on disk by its SHA-256."""

    __tablename__ = "media"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_media_journey", "journey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    kind: Mapped[MediaKind] = mapped_column(enum_column(MediaKind, "media_kind"))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    thumbnail_path: Mapped[str | None] = mapped_column(String(300))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JourneyAttention(Base):
    """A SmartMoving change that broke or moved a journey's plan (crew or truck assigned, or work
    started): what changed (old → new), what was released, until someone resolves it. The
    board's "Needs attention" list."""

    __tablename__ = "journey_attention"
    __table_args__ = (
        Index("ix_journey_attention_company_open", "company_id", "resolved_at"),
        Index("ix_journey_attention_journey", "journey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    #: CANCELLED, GONE (deleted or un-booked in SmartMoving), CONFLICT (the new time collides
    #: with another booking of the truck or crew), RESCHEDULED, CHANGED (addresses, branch).
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    #: {column: [old, new]}
    changes: Mapped[dict[str, Any]]
    #: {"truck_id": int | None, "crew_user_ids": [...]} released by the sync (empty if kept).
    released: Mapped[dict[str, Any]]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
