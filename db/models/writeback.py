"""The write-back outbox: what a completed journey sends to SmartMoving (its completion report as
an attachment, a job note), one row per journey and kind, sent by a scheduled drain (see
domain/writeback for the rules: re-queueing, backoff, exactly once across restarts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import WriteBackKind, WriteBackStatus
from db.models.base import Base, BigId, TimestampMixin, enum_column, utcnow


class WriteBack(TimestampMixin, Base):
    __tablename__ = "smartmoving_write_backs"
    __table_args__ = (
        UniqueConstraint("journey_id", "kind"),
        Index("ix_smartmoving_write_backs_due", "status", "next_attempt_at"),
        Index("ix_smartmoving_write_backs_company", "company_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    integration_id: Mapped[int] = mapped_column(ForeignKey("company_integrations.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    kind: Mapped[WriteBackKind] = mapped_column(enum_column(WriteBackKind, "write_back_kind"))
    status: Mapped[WriteBackStatus] = mapped_column(enum_column(WriteBackStatus, "write_back_status"),
                                                    default=WriteBackStatus.QUEUED)
    #: SmartMoving's ids of the journey's opportunity and job, as they were at completion.
    opportunity_id: Mapped[str] = mapped_column(String(100))
    job_id: Mapped[str | None] = mapped_column(String(100))
    #: NOTE: the note's text, written at completion.
    note_text: Mapped[str | None] = mapped_column(Text)
    #: ATTACHMENT: the report being (or last) sent, its SHA-256 once attached, and the file name
    #: sent (it carries the SHA-256's first characters: the marker looked for after a restart).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("move_documents.id", ondelete="SET NULL"))
    sent_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(300))
    #: Bumped by each claim and each re-queue by a new completion: only the latest settles the row.
    generation: Mapped[int] = mapped_column(default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Requests made to SmartMoving for this row (counted against the monthly call budget).
    api_calls: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    #: Why the last attempt failed or the row was skipped, in words.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: What SmartMoving calls the written thing, when it says (the attachment's document id).
    remote_id: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
