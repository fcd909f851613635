"""`GET /api/media/{id}` and `/api/media/{id}/thumbnail`: files only for people who may see the
journey (bearer token, or the page session cookie for `<img>` tags); no public URLs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api.http.deps import CurrentPrincipal
from api.http.params import RowId
from domain.workflow.media import FORMATS, MediaFile, media_file

router = APIRouter(prefix="/api/media", tags=["media"])

#: Content behind an id never changes; the cache is private to the signed-in browser.
_HEADERS = {
    "Cache-Control": "private, max-age=86400",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
}


def _file(found: MediaFile) -> FileResponse:
    return FileResponse(found.path, media_type=found.content_type, headers=_HEADERS)


#: What the files are, for the OpenAPI.
_IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "the image", "content": {content_type: {} for content_type, _ in FORMATS.values()}}}


@router.get("/{media_id}", response_class=FileResponse, responses=_IMAGE)
async def original(media_id: RowId, principal: CurrentPrincipal) -> FileResponse:
    return _file(await media_file(principal, media_id))


@router.get("/{media_id}/thumbnail", response_class=FileResponse, responses=_IMAGE)
async def thumbnail(media_id: RowId, principal: CurrentPrincipal) -> FileResponse:
    return _file(await media_file(principal, media_id, thumbnail=True))
