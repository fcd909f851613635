"""The simulator's Premium writes: attachments, job notes and the documents list, each recorded as
received so that tests can count what SmartMoving got (`GET /_script/writes`).

An attachment is stored before the answer goes out, then the answer waits
`WriteLog.attachment_delay_seconds` (scripted: `POST /_script/writes/delay`): a client killed
while waiting has had its file taken, as with a slow live API. Attachments are listed by the
documents endpoint with their file name as title (assumed of the live API; the client tolerates
either). Basic keys get the 403 of every premium path (the server's gate).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.responses import JSONResponse, Response

if TYPE_CHECKING:
    from integrations.smartmoving.simulator.data import SimOpportunity

#: The extensions the live API accepts (its spec); images are refused in category 0 (Documents).
ATTACHMENT_EXTENSIONS = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".txt", ".csv", ".png", ".jpeg", ".jpg")
IMAGE_EXTENSIONS = (".png", ".jpeg", ".jpg")
FILE_CATEGORIES = range(6)
NOTE_FIELDS = ("crewNotes", "customerNotes", "internalNotes", "accountingNotes", "dispatcherNotes")
JSON_BODY = Body(...)


@dataclass(eq=False)
class WriteLog:
    """What the simulated SmartMoving received and holds (thread-safe)."""

    attachment_delay_seconds: float = 0.0
    #: Attachments by opportunity, in the order received.
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every PATCH of job notes received: {"opportunity_id", "job_id", "fields"}.
    note_patches: list[dict[str, Any]] = field(default_factory=list)
    #: The notes each job holds now: (opportunity id, job id) → field → text.
    job_notes: dict[tuple[str, str], dict[str, str | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attach(self, opportunity_id: str, file_name: str, size: int, category: int, notes: str | None) -> None:
        with self._lock:
            self.attachments.setdefault(opportunity_id, []).append(
                {"id": str(uuid.uuid4()), "fileName": file_name, "size": size, "category": category, "notes": notes})

    def patch_notes(self, opportunity_id: str, job_id: str, fields: dict[str, str | None]) -> None:
        with self._lock:
            self.note_patches.append({"opportunity_id": opportunity_id, "job_id": job_id, "fields": dict(fields)})
            self.job_notes.setdefault((opportunity_id, job_id), {}).update(fields)

    def attached_to(self, opportunity_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.attachments.get(opportunity_id, []))

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {"attachments": {k: list(v) for k, v in self.attachments.items()},
                    "note_patches": list(self.note_patches),
                    "job_notes": [{"opportunity_id": o, "job_id": j, **fields}
                                  for (o, j), fields in self.job_notes.items()],
                    "attachment_delay_seconds": self.attachment_delay_seconds}


def writes_router(log: WriteLog, found: Any) -> APIRouter:
    """The premium write endpoints (under `/api`); `found(opportunity_id)` answers the
    opportunity or raises the API's 400/404."""
    router = APIRouter()

    @router.post("/premium/opportunities/{opportunity_id}/attachments", status_code=201)
    async def attach(opportunity_id: str, body: dict[str, Any] = JSON_BODY) -> Response:
        found(opportunity_id)
        file_name = body.get("fileName")
        category = body.get("category")
        notes = body.get("notes")
        if not isinstance(file_name, str) or not 5 <= len(file_name) <= 300:
            raise HTTPException(400, "The FileName field must be between 5 and 300 characters.")
        if not file_name.lower().endswith(ATTACHMENT_EXTENSIONS):
            raise HTTPException(400, "File type is not supported.")
        if not isinstance(category, int) or isinstance(category, bool) or category not in FILE_CATEGORIES:
            raise HTTPException(400, "The Category field is required.")
        if category == 0 and file_name.lower().endswith(IMAGE_EXTENSIONS):
            raise HTTPException(400, "The documents category does not accept image files.")
        if notes is not None and (not isinstance(notes, str) or len(notes) > 1000):
            raise HTTPException(400, "The Notes field must be at most 1000 characters.")
        try:
            content = base64.b64decode(str(body.get("base64Contents") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise HTTPException(400, "File failed to be attached to the opportunity") from None
        if not content:
            raise HTTPException(400, "The Base64Contents field is required.")
        log.attach(opportunity_id, file_name, len(content), category, notes)
        if log.attachment_delay_seconds > 0:
            await asyncio.sleep(log.attachment_delay_seconds)
        return Response(status_code=201)

    @router.get("/premium/opportunities/{opportunity_id}/documents")
    async def documents(opportunity_id: str) -> dict[str, Any]:
        opp: SimOpportunity = found(opportunity_id)
        attached = log.attached_to(opp.id)
        return {"opportunityDocuments": [{"id": a["id"], "title": a["fileName"], "isComplete": True, "url": None}
                                         for a in attached],
                "jobDocuments": []}

    @router.patch("/premium/opportunities/{opportunity_id}/jobs/{job_id}/notes")
    async def job_notes(opportunity_id: str, job_id: str, body: dict[str, Any] = JSON_BODY) -> Response:
        opp: SimOpportunity = found(opportunity_id)
        if job_id not in {job.id for job in opp.jobs}:
            raise HTTPException(404, "Job or opportunity not found")
        fields = {name: body[name] for name in NOTE_FIELDS if name in body}
        if any(value is not None and not isinstance(value, str) for value in fields.values()):
            raise HTTPException(400, "Notes must be text.")
        log.patch_notes(opportunity_id, job_id, fields)
        return Response(status_code=200)

    return router


def writes_script_router(log: WriteLog) -> APIRouter:
    """`GET /_script/writes` (what was received) and `POST /_script/writes/delay {"seconds"}`."""
    router = APIRouter()

    @router.get("/writes")
    async def received() -> dict[str, Any]:
        return log.as_dict()

    @router.post("/writes/delay")
    async def delay(body: dict[str, Any] = JSON_BODY) -> JSONResponse:
        try:
            seconds = float(body.get("seconds", 0))
        except (TypeError, ValueError):
            raise HTTPException(400, "seconds: a number") from None
        log.attachment_delay_seconds = max(seconds, 0.0)
        return JSONResponse({"attachment_delay_seconds": log.attachment_delay_seconds})

    return router
