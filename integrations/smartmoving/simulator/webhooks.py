"""Sends SmartMoving-style webhooks: thin kebab-case payloads, a shared-secret header, and
repeats in bursts, as deliveries do live."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class WebhookEmitter:
    def __init__(self, url: str, header_name: str = "x-smartmoving-auth", secret: str = "",
                 *, timeout: float = 10.0) -> None:
        self.url = url
        self.header_name = header_name
        self.secret = secret
        self.timeout = timeout

    @staticmethod
    def payload(event_type: str, opportunity_id: str, status: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"event-type": event_type, "opportunity-id": opportunity_id}
        if status is not None:
            body["opportunity-status"] = int(status)
        return body

    async def emit(self, event_type: str, opportunity_id: str, status: int | None = None) -> int:
        """POST one delivery; returns the receiver's HTTP status."""
        return (await self.emit_burst(event_type, opportunity_id, status, repeats=1))[0]

    async def emit_burst(self, event_type: str, opportunity_id: str, status: int | None = None,
                         *, repeats: int = 3) -> list[int]:
        """POST the same delivery `repeats` times at once; returns the HTTP statuses."""
        body = self.payload(event_type, opportunity_id, status)
        async with httpx.AsyncClient(timeout=self.timeout,
                                     headers={self.header_name: self.secret}) as http:
            responses = await asyncio.gather(
                *(http.post(self.url, json=body) for _ in range(repeats)))
        return [response.status_code for response in responses]
