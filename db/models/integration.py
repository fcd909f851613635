"""SmartMoving integrations, their sync runs, webhooks and the catalogue they bring."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import IntegrationPlan, IntegrationSource, IntegrationStatus, SyncKind, SyncRunStatus, WebhookStatus
from db.models.base import Base, BigId, TimestampMixin, enum_column, utcnow


class CompanyIntegration(TimestampMixin, Base):
    __tablename__ = "company_integrations"
    __table_args__ = (UniqueConstraint("company_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    source: Mapped[IntegrationSource] = mapped_column(
        enum_column(IntegrationSource, "integration_source"), default=IntegrationSource.SMARTMOVING
    )
    base_url: Mapped[str] = mapped_column(String(300))
    #: Fernet token; never shown in clear.
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    webhook_header: Mapped[str] = mapped_column(String(80), default="x-smartmoving-auth")
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[IntegrationPlan] = mapped_column(
        enum_column(IntegrationPlan, "integration_plan"), default=IntegrationPlan.BASIC
    )
    active: Mapped[bool] = mapped_column(default=True)
    sync_frequency_minutes: Mapped[int] = mapped_column(default=30)
    #: Days the jobs sync keeps equal to SmartMoving: today and the next (days - 1).
    sync_window_days: Mapped[int] = mapped_column(default=14, server_default="14")
    status: Mapped[IntegrationStatus] = mapped_column(
        enum_column(IntegrationStatus, "integration_status"), default=IntegrationStatus.NEVER_SYNCED
    )
    last_sync_at: Mapped[datetime | None]
    next_sync_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_integration_started", "integration_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("company_integrations.id", ondelete="CASCADE"))
    kind: Mapped[SyncKind] = mapped_column(enum_column(SyncKind, "sync_kind"))
    status: Mapped[SyncRunStatus] = mapped_column(enum_column(SyncRunStatus, "sync_run_status"))
    trigger: Mapped[str] = mapped_column(String(40), default="schedule")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None]


class WebhookEvent(Base):
    """A received webhook delivery; the dedupe key drops repeats."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("integration_id", "dedupe_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("company_integrations.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(60))
    opportunity_id: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    status: Mapped[WebhookStatus] = mapped_column(enum_column(WebhookStatus, "webhook_status"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class CatalogueMixin(TimestampMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    raw: Mapped[dict[str, Any] | None]


class CompanyBranch(CatalogueMixin, Base):
    __tablename__ = "company_branches"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_primary: Mapped[bool] = mapped_column(default=False)
    lat: Mapped[float | None]
    lng: Mapped[float | None]


class CompanyServiceType(CatalogueMixin, Base):
    __tablename__ = "company_service_types"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)


class CompanyMoveSize(CatalogueMixin, Base):
    __tablename__ = "company_move_sizes"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    description: Mapped[str | None] = mapped_column(String(300))
    volume: Mapped[float | None]
    weight: Mapped[float | None]


class CompanyMaterial(CatalogueMixin, Base):
    __tablename__ = "company_materials"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    tariff_external_id: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(300))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class CompanyUser(CatalogueMixin, Base):
    """An office user of SmartMoving (sales, ops), not a login of this app."""

    __tablename__ = "company_users"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(120))
    role_name: Mapped[str | None] = mapped_column(String(120))
    primary_branch_external_id: Mapped[str | None] = mapped_column(String(100))
