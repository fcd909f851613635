"""The app's own OpenAPI (`/openapi.json`), which clients and the API fuzz (tests/fuzz) read: public,
and true to what the API answers — the envelope for every error, the success codes it sends."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User as SimulatedUser


@pytest.fixture
async def openapi(db: str, user: SimulatedUser) -> dict[str, Any]:
    response = await user.http_client.get("/openapi.json")  # no session, no token
    assert response.status_code == 200, response.text
    return response.json()


def _operations(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": operation
            for path, item in openapi["paths"].items() for method, operation in item.items()}


async def test_every_error_is_documented_as_the_envelope(openapi: dict[str, Any]) -> None:
    operations = _operations(openapi)
    assert len(operations) > 50 and all(label.split()[1].startswith(("/api/", "/health")) for label in operations)
    for label, operation in operations.items():
        for status in ("401", "404", "422"):
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema["required"] == ["success", "error", "message"], (label, status)
    assert "HTTPValidationError" not in openapi.get("components", {}).get("schemas", {})


@pytest.mark.parametrize(("label", "status", "media_type"), [
    ("POST /api/journey", "201", "application/json"),
    ("POST /api/companies/{company_id}/sync", "202", "application/json"),
    ("POST /api/smartmoving/webhooks/{company_id}", "202", "application/json"),
    ("GET /api/audit/export.csv", "200", "text/csv"),
    ("GET /api/media/{media_id}", "200", "image/jpeg"),
])
async def test_the_success_is_documented_as_sent(openapi: dict[str, Any], label: str, status: str,
                                                 media_type: str) -> None:
    responses = _operations(openapi)[label]["responses"]
    assert [code for code in responses if code.startswith("2")] == [status]
    assert media_type in responses[status]["content"]
