"""`/health`: real database check, migrations at head, 503 when the database is down."""

from __future__ import annotations

from nicegui.testing import User

from db.migrate import head_revision
from db.session import dispose_engine, init_engine


async def test_health_reports_database_migrations_and_version(db: str, user: User) -> None:
    response = await user.http_client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert body["data"]["database"]["reachable"] is True
    assert body["data"]["database"]["latency_ms"] >= 0
    assert body["data"]["migrations"] == {"head": head_revision(), "current": head_revision(), "at_head": True}
    assert body["data"]["version"]
    assert "running" in body["data"]["scheduler"]
    assert response.headers["x-request-id"]


async def test_health_is_503_when_the_database_is_down(db: str, user: User) -> None:
    await dispose_engine()
    init_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    response = await user.http_client.get("/health")
    assert response.status_code == 503
    assert response.json()["success"] is False
    assert response.json()["details"]["database"]["reachable"] is False


async def test_a_given_request_id_is_echoed(db: str, user: User) -> None:
    response = await user.http_client.get("/api/health", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
