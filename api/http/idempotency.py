"""`Idempotency-Key` on the API's creates, and their answer built inside their transaction.

A create route takes `once: Once` and runs its work through it::

    @router.post("", status_code=201)
    async def create(body: NewJourney, principal: CurrentPrincipal, once: Once) -> JSONResponse:
        async def work() -> JSONResponse:
            journey_id = await create_journey(principal, body)
            return ok(await _card(principal, journey_id), "journey created", status_code=201)
        return await once.run(principal, work)

`work` runs in one `shared_unit_of_work`: the domain write, the reads that build the answer and
the idempotency key commit together, so a client never gets a 5xx for a write that happened, nor a
2xx for one that did not. With a key (any 1-200 visible ASCII characters, unique per request), a
retry with the same body gets the first answer again, byte for byte (`Idempotent-Replayed: true`),
without writing; the same key with another body gets 422. A refused request (a domain error:
4xx) rolls back with its key: a retry after one runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from db.models.idempotency import MAX_KEY_LENGTH
from domain.access.rbac import Principal
from domain.idempotency import StoredAnswer, claim_key, complete_key, stored_answer
from domain.unit_of_work import shared_unit_of_work

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
Work = Callable[[], Awaitable[Response]]


def _replay(answer: StoredAnswer) -> Response:
    return Response(answer.body.encode("utf-8"), answer.status_code, media_type="application/json",
                    headers={REPLAYED_HEADER: "true"})


@dataclass(frozen=True, slots=True)
class IdempotentCreate:
    """The request's key (None without the header) and what identifies its content."""

    key: str | None
    request: Request

    async def _fingerprint(self, payload: bytes | None) -> str:
        content = payload if payload is not None else await self.request.body()
        digest = hashlib.sha256(f"{self.request.method} {self.request.url.path}\n".encode())
        digest.update(content)
        return digest.hexdigest()

    async def run(self, principal: Principal, work: Work, *, payload: bytes | None = None) -> Response:
        """`work()` in one transaction with the key; `payload` identifies the request when its
        body was not read as a whole (uploads: the file's bytes and form fields)."""
        if self.key is None:
            async with shared_unit_of_work():
                return await work()
        fingerprint = await self._fingerprint(payload)
        try:
            async with shared_unit_of_work() as session:
                earlier = await claim_key(session, principal.user_id, self.key, fingerprint)
                if earlier is None:
                    response = await work()
                    await complete_key(session, principal.user_id, self.key, response.status_code,
                                       bytes(response.body).decode("utf-8"))
        except IntegrityError:  # the same key, committed by a concurrent request meanwhile
            earlier = await stored_answer(principal.user_id, self.key, fingerprint)
            if earlier is None:
                raise
        return _replay(earlier) if earlier is not None else response


def _once(request: Request, key: Annotated[str | None, Header(
    alias=HEADER, min_length=1, max_length=MAX_KEY_LENGTH, pattern=r"^[\x21-\x7e]+$",
    description="Makes a retried create safe: the same key and body get the first answer again, "
                "without a second write.",
)] = None) -> IdempotentCreate:
    return IdempotentCreate(key, request)


#: A create route's parameter: `once: Once`, then `return await once.run(principal, work)`.
Once = Annotated[IdempotentCreate, Depends(_once)]
