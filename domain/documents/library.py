"""Reading issued documents, within the principal's journey scope: a journey's list, one file for
download, and verifying a file shown to us (is it, byte for byte, one we issued?).

A document of a journey outside the scope (another company's, a crew member's other journeys) is
"not found", the same answer as for an id that does not exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.enums import DocumentKind
from db.models import Journey, Location, MoveDocument
from domain.access.rbac import Principal, journey_scope
from domain.documents.content import DOCUMENT_TITLES, when_words
from domain.errors import NotFound, TooLarge, ValidationFailed
from domain.journeys.access import load_journey
from domain.journeys.labels import journey_label
from domain.unit_of_work import read_session
from domain.workflow.access import require_row_id

#: The largest file the verify endpoint reads (issued documents are far smaller).
MAX_VERIFY_BYTES = 10 * 1024 * 1024
SHORT_HASH = 12


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    id: int
    journey_id: int
    kind: DocumentKind
    #: "Bill of lading".
    title: str
    version: int
    filename: str
    size_bytes: int
    sha256: str
    issued_at: datetime
    #: "Thu 3 Dec 2026, 14:05" in the branch's time zone.
    issued_words: str
    #: "SM 100023-1 · Jane Doe".
    journey: str

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]


_COLUMNS = (MoveDocument.id, MoveDocument.journey_id, MoveDocument.kind, MoveDocument.version,
            MoveDocument.filename, MoveDocument.size_bytes, MoveDocument.sha256, MoveDocument.issued_at,
            Location.timezone, Journey.data_source, Journey.job_number, Journey.customer_name)


def _info(row: tuple) -> DocumentInfo:  # type: ignore[type-arg]
    doc_id, journey_id, kind, version, filename, size, sha, issued_at, tz, source, job, customer = row
    label = journey_label(journey_id, source, job) + (f" · {customer}" if customer else "")
    return DocumentInfo(id=doc_id, journey_id=journey_id, kind=kind, title=DOCUMENT_TITLES[kind], version=version,
                        filename=filename, size_bytes=size, sha256=sha, issued_at=issued_at,
                        issued_words=when_words(issued_at, tz), journey=label)


def _scoped(principal: Principal):  # type: ignore[no-untyped-def]
    return (select(*_COLUMNS).join(Journey, Journey.id == MoveDocument.journey_id)
            .join(Location, Location.id == Journey.location_id).where(journey_scope(principal)))


async def journey_documents(principal: Principal, journey_id: int) -> list[DocumentInfo]:
    """The journey's documents, newest first (404 outside the principal's scope)."""
    async with read_session() as session:
        await load_journey(session, principal, journey_id)
        rows = (await session.execute(_scoped(principal).where(MoveDocument.journey_id == journey_id)
                                      .order_by(MoveDocument.issued_at.desc(), MoveDocument.id.desc()))).all()
    return [_info(tuple(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class DocumentFile:
    filename: str
    content_type: str
    content: bytes


async def document_file(principal: Principal, document_id: int) -> DocumentFile:
    """The issued bytes of a document of a journey the principal may read."""
    require_row_id(document_id, "document")
    async with read_session() as session:
        row = (await session.execute(
            select(MoveDocument.filename, MoveDocument.content_type, MoveDocument.content)
            .join(Journey, Journey.id == MoveDocument.journey_id)
            .where(MoveDocument.id == document_id, journey_scope(principal)))).first()
    if row is None:
        raise NotFound("document not found")
    return DocumentFile(filename=row[0], content_type=row[1], content=row[2])


@dataclass(frozen=True, slots=True)
class Verification:
    """Whether a file is one issued here (within the caller's scope), and which."""

    issued: bool
    sha256: str
    message: str
    document: DocumentInfo | None = None


async def verify_file(principal: Principal, content: bytes) -> Verification:
    """Compare the file's SHA-256 with the documents issued within the principal's scope. A file
    changed by one byte has another hash: "not issued here"."""
    if not content:
        raise ValidationFailed("the file is empty")
    if len(content) > MAX_VERIFY_BYTES:
        raise TooLarge(f"the file is too large: at most {MAX_VERIFY_BYTES // (1024 * 1024)} MB")
    sha = hashlib.sha256(content).hexdigest()
    async with read_session() as session:
        row = (await session.execute(_scoped(principal).where(MoveDocument.sha256 == sha)
                                     .order_by(MoveDocument.id).limit(1))).first()
    if row is None:
        return Verification(False, sha, "Not issued here: this file is not, byte for byte, a document we issued "
                                        "(it was changed, or comes from elsewhere).")
    info = _info(tuple(row))
    return Verification(True, sha, f"Issued here: {info.title}, version {info.version}, for {info.journey}, "
                                   f"issued {info.issued_words}.", info)
