"""`GET /track/{token}/documents/{id}`: a document of the move a customer's tracking link shows
(no sign-in: the token is the key). Another journey's document, or an unknown id → 404; a
revoked or expired link → 410."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.documents.download import download_response
from api.http.params import RowId
from domain.customer.tracking import tracked_document

router = APIRouter(prefix="/track", tags=["customer"])

Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


#: A browser download behind the customer's link, not part of the JSON API: not in the OpenAPI.
@router.get("/{token}/documents/{document_id}", response_class=Response, include_in_schema=False)
async def document(token: Token, document_id: RowId) -> Response:
    return download_response(await tracked_document(token, document_id), cache_control="private, no-store")
