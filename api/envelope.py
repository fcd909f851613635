"""The response envelope: `{success, data, message}`; errors `{success: false, error, message}`."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.encoders import decimal_encoder, jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from domain.errors import DomainError


def _encode(value: Any) -> Any:
    """What `jsonable_encoder` makes of a value `json` cannot encode; the common ones first."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_encoder(value)
    return jsonable_encoder(value)


class EnvelopeResponse(JSONResponse):
    """The bytes Starlette's JSONResponse would send for `jsonable_encoder(content)`, in one pass:
    `json` encodes the plain values itself and hands only the others (dates, decimals, enums,
    dataclasses...) to `_encode`, instead of `jsonable_encoder` walking and copying the whole
    payload first, which took most of the time of a list of 200 jobs."""

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"),
                              default=_encode).encode("utf-8")
        except TypeError:  # keys json does not take (dates, tuples...): jsonable_encoder converts them
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


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems[:5])
    return fail(422, "validation_error", f"invalid input — {summary}", {"errors": problems})
