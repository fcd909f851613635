"""The response envelope: `{success, data, message}`; errors `{success: false, error, message}`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from domain.errors import DomainError


def ok(data: Any = None, message: str = "", status_code: int = 200) -> JSONResponse:
    return JSONResponse({"success": True, "data": jsonable_encoder(data), "message": message}, status_code)


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
