"""The SmartMoving and company-management API: every endpoint against every role (the matrix
is data), the envelope, and what roles without financial rights never receive."""

from __future__ import annotations

from typing import Any

from nicegui.testing import User

from domain.sync.service import wait_for_background
from tests.sync.conftest import SIM_KEY, bearer
from tests.sync.helpers import run

ROLES = ("superadmin", "admin", "manager", "dispatcher", "driver", "mover", "auditor")
OFFICE = {"superadmin", "admin", "manager", "dispatcher", "auditor"}
COMPANY_ADMINS = {"superadmin", "admin"}
SUPER = {"superadmin"}

#: (method, path, roles allowed, status when allowed); every other role gets 403.
MATRIX: list[tuple[str, str, set[str], int]] = [
    ("GET", "/api/smartmoving/journeys/active", OFFICE, 200),
    ("GET", "/api/smartmoving/journeys/today", OFFICE, 200),
    ("GET", "/api/smartmoving/journeys/tomorrow", OFFICE, 200),
    ("GET", "/api/smartmoving/jobs/today", OFFICE, 200),
    ("GET", "/api/smartmoving/jobs/tomorrow", OFFICE, 200),
    ("GET", "/api/smartmoving/locations", OFFICE, 200),
    ("GET", "/api/smartmoving/sync/status", OFFICE, 200),
    ("POST", "/api/smartmoving/sync/automated/trigger", SUPER, 202),
    ("GET", "/api/company-management/companies", SUPER, 200),
    ("GET", "/api/super-admin/companies", SUPER, 200),
    ("GET", "/api/companies/{cid}", COMPANY_ADMINS, 200),
    ("GET", "/api/companies/{cid}/stats", COMPANY_ADMINS, 200),
    ("GET", "/api/companies/{cid}/locations", COMPANY_ADMINS, 200),
    ("GET", "/api/companies/{cid}/catalogue/branches", COMPANY_ADMINS, 200),
    ("GET", "/api/companies/{cid}/sync", COMPANY_ADMINS, 200),
    ("POST", "/api/companies/{cid}/sync", SUPER, 202),
    ("GET", "/api/companies/{cid}/drift", COMPANY_ADMINS, 200),
    ("POST", "/api/companies/{cid}/reconcile", SUPER, 202),
    ("GET", "/api/companies/{cid}/integration", SUPER, 200),
    ("PUT", "/api/companies/{cid}/integration", SUPER, 200),
]


def _payload(method: str, path: str, integration: dict[str, Any]) -> dict[str, Any] | None:
    if method == "PUT":
        return {"base_url": integration["base_url"], "plan": "PREMIUM", "active": True,
                "sync_frequency_minutes": 30, "webhook_header": "x-smartmoving-auth"}
    return {} if method == "POST" else None


async def test_role_matrix(integration: dict[str, Any], company_id: int, fast_client_rate: None, user: User) -> None:
    """Every endpoint × every role (one database for the whole matrix; all mismatches reported)."""
    headers = {role: await bearer(f"{role}@demo.ccrm") for role in ROLES}
    mismatches: list[tuple[str, str, int, int]] = []
    for method, path, allowed, ok_status in MATRIX:
        target = path.format(cid=company_id)
        payload = _payload(method, path, integration)
        anonymous = await user.http_client.request(method, target, json=payload)
        if anonymous.status_code != 401 or anonymous.json()["success"] is not False:
            mismatches.append((method, target, 401, anonymous.status_code))
        for role in ROLES:
            response = await user.http_client.request(method, target, headers=headers[role], json=payload)
            expected = ok_status if role in allowed else 403
            body = response.json()
            if response.status_code != expected or body["success"] is not (expected < 400) or (
                    expected == 403 and body["error"] != "forbidden"):
                mismatches.append((f"{method} {role}", target, expected, response.status_code))
            await wait_for_background()  # a started sync ends before the next request
    assert mismatches == []


async def test_job_lists_hold_estimated_values_only_for_financial_roles(integration: dict[str, Any],
                                                                       user: User) -> None:
    await run(integration["id"])
    for role, financial in (("manager", True), ("auditor", True), ("dispatcher", False), ("admin", True)):
        response = await user.http_client.get("/api/smartmoving/jobs/today", headers=await bearer(f"{role}@demo.ccrm"))
        data = response.json()["data"]
        assert data["items"], role
        assert all(("estimated_value" in item) is financial for item in data["items"]), role
        assert ("estimated_value" in data["stats"]) is financial
        assert all("external_data" not in item for item in data["items"])
        assert data["filters"]["sources"] == ["SMARTMOVING"]
        assert {"SCHEDULED", "CANCELLED"} <= set(data["filters"]["statuses"])
        assert all(item["data_source"] == "SMARTMOVING" for item in data["items"])


async def test_job_lists_are_scoped_and_filterable(integration: dict[str, Any], user: User) -> None:
    await run(integration["id"])
    headers = await bearer("dispatcher@demo.ccrm")
    data = (await user.http_client.get("/api/smartmoving/journeys/today", headers=headers)).json()["data"]
    mine = {loc["id"] for loc in data["filters"]["locations"]}
    assert len(mine) == 3 and {item["location_id"] for item in data["items"]} <= mine
    assert data["stats"]["total"] == len(data["items"]) == sum(data["stats"]["by_status"].values())
    one = sorted(mine)[0]
    filtered = (await user.http_client.get(f"/api/smartmoving/journeys/today?location_id={one}&source=SMARTMOVING",
                                           headers=headers)).json()["data"]
    assert {item["location_id"] for item in filtered["items"]} <= {one}
    assert all(item["data_source"] == "SMARTMOVING" for item in filtered["items"])
    elsewhere = (await user.http_client.get("/api/smartmoving/journeys/today?location_id=999999",
                                            headers=headers)).json()["data"]
    assert elsewhere["items"] == [] and elsewhere["stats"]["total"] == 0
    bad = await user.http_client.get("/api/smartmoving/journeys/today?status=NOPE", headers=headers)
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"
    unknown_window = await user.http_client.get("/api/smartmoving/journeys/yesterday", headers=headers)
    assert unknown_window.status_code == 422


async def test_integration_settings_validate_and_never_show_secrets(integration: dict[str, Any], company_id: int,
                                                                   user: User) -> None:
    headers = await bearer("superadmin@demo.ccrm")
    shown = (await user.http_client.get(f"/api/companies/{company_id}/integration", headers=headers)).json()["data"]
    assert shown["api_key"].startswith("••••••") and SIM_KEY not in str(shown)
    bad = await user.http_client.put(f"/api/companies/{company_id}/integration", headers=headers, json={
        "base_url": "ftp://nowhere", "plan": "PREMIUM", "sync_frequency_minutes": 1, "webhook_header": "bad header",
        "api_key": "short"})
    assert bad.status_code == 422
    message = bad.json()["message"]
    assert "base URL" in message and "frequency" in message and "webhook header" in message and "API key" in message
    saved = await user.http_client.put(f"/api/companies/{company_id}/integration", headers=headers, json={
        "base_url": integration["base_url"] + "/", "plan": "BASIC", "sync_frequency_minutes": 60,
        "webhook_header": "X-My-Secret", "api_key": "a-brand-new-key-9876"})
    assert saved.status_code == 200
    data = saved.json()["data"]
    assert (data["plan"], data["sync_frequency_minutes"], data["webhook_header"]) == ("BASIC", 60, "x-my-secret")
    assert data["api_key"] == "••••••9876" and data["base_url"] == integration["base_url"]
    assert data["webhook_secret"] == shown["webhook_secret"]  # left empty: kept


async def test_sync_status_and_history_report_runs(integration: dict[str, Any], company_id: int, user: User) -> None:
    sync = await run(integration["id"])
    status = (await user.http_client.get("/api/smartmoving/sync/status",
                                         headers=await bearer("superadmin@demo.ccrm"))).json()["data"]
    assert status["last_run"]["id"] == sync.id and status["last_run"]["created"] == sync.created
    assert status["budget"]["used"] == sync.api_calls and status["budget"]["quota"] == 125_000
    assert "••••••" in status["integration"]["api_key"]
    dispatcher_view = (await user.http_client.get("/api/smartmoving/sync/status",
                                                  headers=await bearer("dispatcher@demo.ccrm"))).json()["data"]
    assert dispatcher_view["last_run"]["id"] == sync.id
    assert "integration" not in dispatcher_view and "budget" not in dispatcher_view
    history = (await user.http_client.get(f"/api/companies/{company_id}/sync",
                                          headers=await bearer("admin@demo.ccrm"))).json()["data"]
    assert [(r["id"], r["status"], r["api_calls"]) for r in history] == [(sync.id, "SUCCEEDED", sync.api_calls)]
    assert history[0]["duration_seconds"] > 0


async def test_trigger_answers_the_run_id_at_once_and_the_run_completes(integration: dict[str, Any], company_id: int,
                                                                       fast_client_rate: None, user: User) -> None:
    headers = await bearer("superadmin@demo.ccrm")
    response = await user.http_client.post(f"/api/companies/{company_id}/sync", headers=headers, json={"kind": "JOBS"})
    run_id = response.json()["data"]["run_id"]
    assert response.status_code == 202 and run_id
    busy = await user.http_client.post(f"/api/companies/{company_id}/sync", headers=headers)
    assert busy.status_code == 409 and busy.json()["details"] == {"run_id": run_id}
    await wait_for_background()
    history = (await user.http_client.get(f"/api/companies/{company_id}/sync", headers=headers)).json()["data"]
    assert history[0]["id"] == run_id and history[0]["status"] == "SUCCEEDED" and history[0]["created"] > 0
    jobs = (await user.http_client.get("/api/smartmoving/jobs/today", headers=await bearer("dispatcher@demo.ccrm"))
            ).json()["data"]
    assert any(item["external_id"] and not item["external_id"].startswith("demo-") for item in jobs["items"])
