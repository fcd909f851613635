"""The response envelope: `{success, data, message}`; errors `{success: false, error, message}`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Literal, cast

import orjson
from fastapi import FastAPI, Request
from fastapi.encoders import decimal_encoder, jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain.errors import DomainError
from domain.schemas import Schema

API_PREFIX = "/api"

ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


def is_api_path(path: str) -> bool:
    """The JSON API (and the health probe): answered in the envelope, never with a page."""
    return path in (API_PREFIX, "/health") or path.startswith(f"{API_PREFIX}/")


class ErrorBody(BaseModel):
    """The body of every error the API answers with."""

    success: Literal[False]
    #: A stable code for programs (`not_found`, `validation_error`, ...).
    error: str
    #: A sentence for people.
    message: str
    details: dict[str, Any] | None = None


#: The errors any API route may answer with, for the OpenAPI (replaces FastAPI's `{detail}` 422).
#: The schema is written out rather than given as `model`, which FastAPI would document in the
#: route's own media type (an image, a CSV).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": HTTPStatus(status).phrase,
             "content": {"application/json": {"schema": ErrorBody.model_json_schema()}}}
    for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}


def _encode(value: Any) -> Any:
    """What `jsonable_encoder` makes of a value orjson does not encode itself (decimals, sets,
    durations, models...); orjson writes dates, times, enums and dataclasses as it would."""
    if isinstance(value, Decimal):
        return decimal_encoder(value)
    return jsonable_encoder(value)


class EnvelopeResponse(JSONResponse):
    """The bytes Starlette's JSONResponse would send for `jsonable_encoder(content)`, in one pass:
    orjson encodes the plain values, dates, enums and dataclasses itself (in C, several times
    faster than `json` on a list of 200 jobs) and hands only the others to `_encode`, instead of
    `jsonable_encoder` walking and copying the whole payload first."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, default=_encode)
        except orjson.JSONEncodeError:  # keys orjson does not take (dates, enums...): jsonable_encoder converts them
            return super().render(jsonable_encoder(content))


def ok(data: Any = None, message: str = "", status_code: int = 200) -> JSONResponse:
    return EnvelopeResponse({"success": True, "data": data, "message": message}, status_code)


def fail(status_code: int, error: str, message: str, details: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": error, "message": message}
    if details:
        body["details"] = jsonable_encoder(details)
    return JSONResponse(body, status_code, headers=headers)


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return fail(exc.status_code, exc.code, exc.message, exc.details)


def _body_schema(request: Request) -> type[Schema] | None:
    """The domain schema the route takes as its request body, if it does."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return model if isinstance(model, type) and issubclass(model, Schema) else None


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    schema = _body_schema(request)
    errors = exc.errors()
    if schema is not None and errors and all(len(e["loc"]) > 1 and e["loc"][0] == "body"
                                             and isinstance(e["loc"][1], str) for e in errors):
        # A body's fields: worded as the domain words them (the pages show the same messages).
        failure = schema.failure([{**e, "loc": tuple(e["loc"][1:])} for e in errors])
        return await domain_error_handler(request, failure)
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems[:5])
    return fail(422, "validation_error", f"invalid input — {summary}", {"errors": problems})


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (no route: 404, wrong method: 405, ...) in the envelope."""
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    said = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else phrase.lower()
    headers = dict(exc.headers) if exc.headers else None
    return fail(exc.status_code, code, f"{said}: {request.method} {request.url.path}", headers=headers)


def _api_or(page_handler: ExceptionHandler) -> ExceptionHandler:
    """`page_handler` for pages, the envelope under /api (NiceGUI answers an unknown path with its page)."""

    async def handler(request: Request, exc: Exception) -> Response:
        if is_api_path(request.url.path):
            return await http_error_handler(request, exc)
        return await page_handler(request, exc)

    handler.page_handler = page_handler  # type: ignore[attr-defined]
    return handler


def install_error_handlers(app: FastAPI) -> None:
    """Every error of the API in the envelope. Idempotent (tests build the app again and again)."""
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler)
    for status, page_handler in list(app.exception_handlers.items()):
        if isinstance(status, int):
            original = cast(ExceptionHandler, getattr(page_handler, "page_handler", page_handler))
            app.add_exception_handler(status, _api_or(original))
