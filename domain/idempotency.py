"""Idempotency keys of creates: a request retried with the same `Idempotency-Key` (a client that
got no answer, e.g. during an outage) is answered with the stored response instead of writing again.

The key is claimed in the transaction of the write itself (`claim_key` first, `complete_key` with
the answer last, one commit), so a key is never stored without its write nor a write without its
key. A second request with the same key while the first is running waits on the key's unique
index, then fails to claim it and gets the first one's answer (`stored_answer`). The same key with
another body is refused (422). Keys are per user and live `KEY_LIFETIME`: a claim first deletes
the user's expired keys, and `prune_keys` (hourly, on the scheduler) everybody's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IdempotencyKey, utcnow
from domain.errors import DomainError
from domain.timewindow import as_utc
from domain.unit_of_work import read_session, unit_of_work

KEY_LIFETIME = timedelta(hours=24)


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: str


def _expired(row: IdempotencyKey, now: datetime) -> bool:
    created = as_utc(row.created_at)
    return created is not None and created < now - KEY_LIFETIME


def _answer(row: IdempotencyKey, fingerprint: str) -> StoredAnswer | None:
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for another request: "
                                   "send a new key for a new request")
    return StoredAnswer(row.status_code, row.response) if row.status_code else None


async def claim_key(session: AsyncSession, user_id: int, key: str, fingerprint: str) -> StoredAnswer | None:
    """In the caller's transaction: the answer stored for an earlier request with this key, or
    None once the key is reserved for this one (a row `complete_key` fills in before the commit).
    Raises IntegrityError when a concurrent request committed the same key meanwhile."""
    now = utcnow()
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                       IdempotencyKey.created_at < now - KEY_LIFETIME))
    row = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                            IdempotencyKey.key == key))
    if row is not None:
        return _answer(row, fingerprint)
    session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, status_code=0, response="",
                               created_at=now))
    await session.flush()
    return None


async def complete_key(session: AsyncSession, user_id: int, key: str, status_code: int, body: str) -> None:
    """Store the answer of the request that claimed the key (same transaction as its write)."""
    row = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                            IdempotencyKey.key == key))
    if row is None:
        raise RuntimeError("complete_key without claim_key in the same transaction")
    row.status_code, row.response = status_code, body
    await session.flush()


async def stored_answer(user_id: int, key: str, fingerprint: str) -> StoredAnswer | None:
    """The committed answer of the request that holds the key (after losing the race to claim it)."""
    async with read_session() as session:
        row = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                                IdempotencyKey.key == key))
    return None if row is None or _expired(row, utcnow()) else _answer(row, fingerprint)


async def prune_keys(now: datetime | None = None) -> int:
    """Delete the keys past their lifetime; how many."""
    cutoff = (now or utcnow()) - KEY_LIFETIME
    async with unit_of_work() as session:
        result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
