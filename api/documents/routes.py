"""Issued move documents over the API, within the caller's journey scope (bearer token, or the
page session cookie for the journey page's download links):

- `GET /api/journeys/{id}/documents`: the journey's documents, newest first;
- `GET /api/documents/{id}/file`: the issued PDF, byte for byte (404 outside the scope);
- `POST /api/documents/verify` (multipart `file`, at most 10 MB): whether the file is, byte for
  byte, a document issued here and within the caller's scope. Always 200 for a readable file:
  `{issued: true, document: {...}}` or `{issued: false}` ("not issued here": changed, or from
  elsewhere); 413 over the limit, 422 for an empty file.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse, Response

from api.documents.download import download_response
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from domain.documents.library import MAX_VERIFY_BYTES, document_file, journey_documents, verify_file

router = APIRouter(prefix="/api", tags=["documents"])

_PDF: dict[int | str, dict[str, Any]] = {200: {"description": "the issued PDF", "content": {"application/pdf": {}}}}


@router.get("/journeys/{journey_id}/documents")
async def documents(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await journey_documents(principal, journey_id))


@router.get("/documents/{document_id}/file", response_class=Response, responses=_PDF)
async def download(document_id: RowId, principal: CurrentPrincipal) -> Response:
    return download_response(await document_file(principal, document_id), cache_control="private, max-age=86400")


@router.post("/documents/verify")
async def verify(principal: CurrentPrincipal, file: UploadFile = File(...)) -> JSONResponse:
    verification = await verify_file(principal, await file.read(MAX_VERIFY_BYTES + 1))
    return ok(verification, verification.message)
