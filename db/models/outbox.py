"""Crew actions delivered from a phone's outbox: one row per client-made idempotency key, written
in the same transaction as what the action changed, with the answer it got (a replay of the key
returns that answer and writes nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, utcnow


class ClientAction(Base):
    __tablename__ = "client_actions"
    __table_args__ = (Index("ix_client_actions_journey", "journey_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: The phone's key (a UUID); unique over all actions.
    client_key: Mapped[str] = mapped_column(String(36), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What the action was (`phase.start`, `phase.complete`, `item.record`, ...).
    kind: Mapped[str] = mapped_column(String(40))
    #: When the phone says the action was made, and when the server recorded it as made (bounded).
    made_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    #: The answer the action got, returned again to a replay.
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
