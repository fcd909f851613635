"""The envelope's one-pass JSON encoding sends exactly what `jsonable_encoder` + JSONResponse did."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.http.envelope import ok
from db.enums import JourneyStatus, Role


@dataclass
class _Point:
    x: int
    when: date


PAYLOADS = [
    None,
    {"items": [{"id": 1, "journey_date": date(2026, 11, 20), "status": JourneyStatus.EN_ROUTE,
                "scheduled_start": datetime(2026, 11, 20, 7, tzinfo=ZoneInfo("America/Toronto")),
                "last_sync_at": datetime(2026, 11, 19, 12, 30, 5, 123456, tzinfo=UTC),
                "estimated_value": Decimal("1234.50"), "whole": Decimal("600"), "phases": ({"p": "CREATION"},),
                "name": "Léa Côté", "none": None, "ok": True, "ratio": 0.25}],
     "page": 1, "total": 73000},
    {Role.ADMIN: {1, 2}, "roles": frozenset({Role.DRIVER}), "at": time(7, 30), "span": timedelta(minutes=90)},
    {date(2026, 11, 20): 3, "n": Decimal("2")},  # a key json does not take: the fallback path
    _Point(1, date(2026, 1, 2)),
    [_Point(2, date(2026, 3, 4)), Decimal("0.10")],
]


def test_same_bytes_as_jsonable_encoder() -> None:
    for data in PAYLOADS:
        expected = JSONResponse({"success": True, "data": jsonable_encoder(data), "message": "m"}).body
        assert ok(data, "m").body == expected, data
        assert json.loads(ok(data, "m").body)["success"] is True
