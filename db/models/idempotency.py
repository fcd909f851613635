"""Idempotency keys: a create that came with an `Idempotency-Key` header, and the answer it got.

Written in the same transaction as the create itself (`domain/idempotency.py`), so a key never
exists without its write, nor a write without its key; a retry of the request is answered with
the stored response instead of writing again. Keys are per user and expire (pruned)."""

from __future__ import annotations

from datetime import datetime
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, BigId, utcnow

MAX_KEY_LENGTH = 200


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    #: SHA-256 of the request: method, path and body (another body under the same key is refused).
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: The answer, replayed byte for byte (0 and empty while the first request is still running).
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
