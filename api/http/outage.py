"""The answer during a database outage (see `domain/runtime/outage.py` for what counts as one):
503 with `Retry-After`, in the envelope under `/api` and `/health`, else a plain page that says
the service is briefly unavailable. Neither says which host, port or driver failed."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse, Response

from api.http.envelope import fail, is_api_path
from config import get_settings
from domain.runtime.outage import UNAVAILABLE_MESSAGE

OUTAGE_CODE = "unavailable"


def retry_after_seconds() -> int:
    return get_settings().outage_retry_after


def outage_response(path: str) -> Response:
    """503 for a request to `path` that the database outage stopped."""
    retry_after = retry_after_seconds()
    headers = {"Retry-After": str(retry_after)}
    if is_api_path(path):
        return fail(503, OUTAGE_CODE, UNAVAILABLE_MESSAGE, {"retry_after": retry_after}, headers=headers)
    message = html.escape(UNAVAILABLE_MESSAGE)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Briefly unavailable · C&amp;C CRM</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:0;padding:2rem 1.25rem;color:#1f2937;"
        "background:#fff;line-height:1.5}main{max-width:32rem;margin:auto}h1{font-size:1.4rem}"
        "a{display:inline-block;min-height:48px;line-height:48px;padding:0 1.25rem;color:#fff;"
        "background:#1d4ed8;border-radius:6px;text-decoration:none}</style></head>"
        f"<body><main><h1>{message}</h1><p>Nothing you did caused this. Your last change may not have been saved.</p>"
        '<p><a href="">Try again</a></p></main></body></html>'
    )
    return HTMLResponse(page, 503, headers=headers)
