"""An issued document as a browser download: the bytes as issued, never rendered in the app's
origin (a sandboxed, no-sniff attachment), named in RFC 5987 form so any file name is safe."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from domain.documents.library import DocumentFile


def download_response(found: DocumentFile, *, cache_control: str) -> Response:
    return Response(found.content, media_type=found.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}",
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Referrer-Policy": "no-referrer",
    })
