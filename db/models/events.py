"""The event log: every domain event relayed between app instances, numbered in commit order.

An instance whose listening connection was down reads the events it missed from here
(`seq` greater than the last one it saw); see `domain/events/event_log.py`. Rows are pruned by
age and count, so the log only bridges outages, not history (that is the audit trail).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, utcnow


class EventLogEntry(Base):
    __tablename__ = "event_log"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: Written by the relay's own connection (raw SQL), hence the server default.
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp(), index=True)
    #: The instance the event happened on.
    origin: Mapped[str] = mapped_column(String(100))
    #: The event's wire form (`DomainEvent.to_json`).
    payload: Mapped[str] = mapped_column(Text)
