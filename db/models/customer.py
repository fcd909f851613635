"""The customer's side of a journey: the tracking links sent to the customer, and the outbox of
e-mails (sent by a scheduled drain, `domain/mail`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.enums import MailStatus
from db.models.base import Base, BigId, enum_column, utcnow


class CustomerLink(Base):
    """A link that lets the customer follow one journey without signing in. Only the SHA-256 of
    its token is kept: the token itself lives in the e-mail and nowhere else."""

    __tablename__ = "customer_links"
    __table_args__ = (Index("ix_customer_links_journey", "journey_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    #: Hex SHA-256 of the token (the lookup key; unique).
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: Where the link was sent (the journey's customer e-mail at the time).
    sent_to: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OutboundMail(Base):
    """One e-mail to send, written in the same transaction as what caused it. The drain claims due
    rows one at a time (`FOR UPDATE SKIP LOCKED`), sends, and records the outcome."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        Index("ix_mail_outbox_journey", "journey_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int | None] = mapped_column(ForeignKey("journeys.id", ondelete="SET NULL"))
    #: What the mail is for (`customer.on_my_way`, ...), for the audit and the sent-mail view.
    purpose: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "mail_status"), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Why the last attempt failed, in words (never a credential).
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
