"""Issuing move documents: rendered, kept byte for byte in `MoveDocument` with their SHA-256, and
hashed into the audit trail, in the same unit of work as the phase change that causes them.

When (decided here, once; the workflow tells what changed in its transaction):
- the bill of lading when PICKUP starts (before anything is loaded), and again, as a new version,
  each time a signature is recorded on PICKUP (the signed copy);
- the completion report when COMPLETION is completed (the move is done).

A re-issue is a new row (`version` + 1); the newest of a kind is the journey's current one, the
older ones stay (a file handed out earlier can still be verified).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentKind, ItemKind, Phase
from db.models import Journey, MoveDocument, utcnow
from domain.access.rbac import Principal
from domain.audit import record as audit
from domain.documents.content import gather
from domain.documents.render import render

ISSUED = "document.issued"
FILENAME_STEMS: dict[DocumentKind, str] = {
    DocumentKind.BILL_OF_LADING: "bill-of-lading",
    DocumentKind.COMPLETION_REPORT: "completion-report",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a workflow transaction did, as far as documents care."""

    phase: Phase
    #: "started", "completed" or "recorded".
    what: str
    item_kind: ItemKind | None = None


def due(changes: Iterable[Change]) -> list[DocumentKind]:
    """The documents to issue after these changes (each at most once per transaction)."""
    kinds: list[DocumentKind] = []
    for change in changes:
        if change.phase is Phase.PICKUP and (
                change.what == "started" or (change.what == "recorded" and change.item_kind is ItemKind.SIGNATURE)):
            kind = DocumentKind.BILL_OF_LADING
        elif change.phase is Phase.COMPLETION and change.what == "completed":
            kind = DocumentKind.COMPLETION_REPORT
        else:
            continue
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def issue_document(session: AsyncSession, principal: Principal | None, journey: Journey,
                         kind: DocumentKind) -> MoveDocument:
    """Render and add the next version of `kind` to the session's transaction, with its audit
    entry (the caller holds the journey's row lock, so versions do not race)."""
    latest = await session.scalar(select(func.max(MoveDocument.version)).where(
        MoveDocument.journey_id == journey.id, MoveDocument.kind == kind))
    version = (latest or 0) + 1
    issued_at = utcnow().replace(microsecond=0)
    content = await gather(session, journey, kind, version, issued_at)
    pdf = await asyncio.to_thread(render, content)
    document = MoveDocument(
        company_id=journey.company_id, journey_id=journey.id, kind=kind, version=version,
        filename=f"{FILENAME_STEMS[kind]}-{content.journey.lower().replace(' ', '-')}-v{version}.pdf",
        size_bytes=len(pdf), sha256=sha256_of(pdf), content=pdf, issued_at=issued_at,
        issued_by_id=principal.user_id if principal else None,
    )
    session.add(document)
    await session.flush()
    audit.record(session, principal, ISSUED, "move_document", document.id, company_id=journey.company_id,
                 new=audit.snapshot(document, ("journey_id", "kind", "version", "filename", "size_bytes", "sha256",
                                               "issued_at")))
    return document


async def issue_due(session: AsyncSession, principal: Principal | None, journey: Journey,
                    changes: Iterable[Change]) -> list[MoveDocument]:
    return [await issue_document(session, principal, journey, kind) for kind in due(changes)]
