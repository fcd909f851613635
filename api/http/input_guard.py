"""Input no route can store, refused with a 422 before any route runs (a dependency of every API
router): text with NUL characters or unpaired surrogates, which PostgreSQL and UTF-8 cannot hold,
and the non-finite numbers (`NaN`, `Infinity`) Python's JSON parser lets through.

Checked in the path, the query and a JSON body, wherever the value sits (a search term goes
into a query as much as a name goes into a row); other bodies (uploads) are not text."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from integrations.storable import json_leaves, unstorable
from domain.errors import ValidationFailed


async def _json_body(request: Request) -> Any:
    if not request.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        return None
    try:  # parsed once: FastAPI has already asked the same request for it, the route's body
        return await request.json()
    except (ValueError, RecursionError):  # no body, not JSON, nested too deep: the route answers
        return None  # that itself (or takes no body)


async def refuse_unstorable_input(request: Request) -> None:
    places = [("path", value) for value in request.path_params.values()]
    places += [("query", item) for pair in request.query_params.multi_items() for item in pair]
    places += [("body", value) for value in json_leaves(await _json_body(request))]
    for place, value in places:
        if problem := unstorable(value):
            raise ValidationFailed(f"invalid input in the {place}: {problem}", details={"location": place})
