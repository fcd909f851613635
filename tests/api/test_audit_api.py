"""The audit trail: auditors read their company's trail (filters, paging) and export it as
CSV; others are refused; the export states its row limit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from nicegui.testing import User as SimulatedUser
from sqlalchemy import update

from db.enums import Role
from db.models import AuditEntry, User
from domain.audit import log as audit_log
from domain.audit.log import EXPORT_ROW_LIMIT, AuditFilters, export_audit_csv, list_audit_entries
from domain.errors import Forbidden, ValidationFailed
from domain.access.passwords import hash_password
from domain.unit_of_work import unit_of_work
from tests.helpers import bearer, count, token_for
from tests.world import WORLD_PASSWORD, World, build_world


COMPANY_ZONE = ZoneInfo("America/Toronto")  # the zone companies get by default, as in the world


def _company_today() -> date:
    return datetime.now(COMPANY_ZONE).date()


@pytest.fixture
async def world(db: str) -> World:
    w = await build_world()
    async with unit_of_work() as s:
        s.add(User(company_id=w.company_a, email="auditor@alpha.test", full_name="Audrey", role=Role.AUDITOR,
                   password_hash=hash_password(WORLD_PASSWORD)))
        # Noon of the company's yesterday: the date filters count days in the company's zone.
        yesterday = datetime.combine(_company_today() - timedelta(days=1), time(12), COMPANY_ZONE)
        s.add_all([
            AuditEntry(company_id=w.company_a, user_id=w.admin_a.user_id, actor_email="admin@alpha.test",
                       action="update", entity="truck", entity_id=str(w.truck_a), at=yesterday - timedelta(days=2),
                       old_values={"size": "20 ft"}, new_values={"size": "26 ft"}),
            *(AuditEntry(company_id=w.company_a, user_id=w.dispatcher_a.user_id, actor_email="dispatch@alpha.test",
                         action="create", entity="journey", entity_id=str(i), at=yesterday + timedelta(minutes=i))
              for i in range(30)),
            AuditEntry(company_id=w.company_b, user_id=w.admin_b.user_id, actor_email="admin@beta.test",
                       action="update", entity="truck", entity_id=str(w.truck_b), at=yesterday),
        ])
    return w


async def _get(user: SimulatedUser, token: str, path: str, status: int = 200) -> dict:
    response = await user.http_client.get(path, headers=bearer(token))
    assert response.status_code == status, response.text
    return response.json()


async def test_an_auditor_reads_their_company_trail_filtered_and_paged(world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, "auditor@alpha.test", WORLD_PASSWORD)
    everything = (await _get(user, token, "/api/audit?page_size=200"))["data"]
    assert everything["total"] == 32  # 31 seeded + the auditor's own login; nothing of Beta
    assert {e["company_id"] for e in everything["items"]} == {world.company_a}
    times = [e["at"] for e in everything["items"]]
    assert times == sorted(times, reverse=True)

    page2 = (await _get(user, token, "/api/audit?entity=journey&page_size=20&page=2"))["data"]
    assert (page2["total"], page2["pages"], len(page2["items"])) == (30, 2, 10)
    trucks = (await _get(user, token, "/api/audit?entity=truck&action=update"))["data"]
    assert [(e["entity_id"], e["old_values"], e["new_values"]) for e in trucks["items"]] == [
        (str(world.truck_a), {"size": "20 ft"}, {"size": "26 ft"})]
    by_user = (await _get(user, token, f"/api/audit?user_id={world.admin_a.user_id}"))["data"]
    assert by_user["total"] == 1
    by_actor = (await _get(user, token, "/api/audit?actor=DISPATCH@"))["data"]
    assert by_actor["total"] == 30
    today = _company_today()
    old = (await _get(user, token, f"/api/audit?date_to={today - timedelta(days=2)}"))["data"]
    assert [e["entity"] for e in old["items"]] == ["truck"]
    recent = (await _get(user, token, f"/api/audit?date_from={today - timedelta(days=2)}&date_to={today}"))["data"]
    assert recent["total"] == 31
    bad = await _get(user, token, f"/api/audit?date_from={today}&date_to={today - timedelta(days=1)}", 422)
    assert bad["success"] is False and "start date is after the end date" in bad["message"]
    await _get(user, token, f"/api/audit?company_id={world.company_b}", 403)


async def test_the_csv_export_has_a_header_the_filtered_rows_and_is_itself_audited(
        world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, "auditor@alpha.test", WORLD_PASSWORD)
    response = await user.http_client.get("/api/audit/export.csv?entity=journey", headers=bearer(token))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-export-truncated"] == "false"
    assert response.headers["x-export-row-limit"] == str(EXPORT_ROW_LIMIT)
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == audit_log.CSV_COLUMNS
    assert len(rows) == 31 and {r[6] for r in rows[1:]} == {"journey"}
    assert response.headers["x-export-rows"] == "30"
    assert await count(AuditEntry, AuditEntry.action == "export", AuditEntry.entity == "audit") == 1
    truck = list(csv.DictReader(io.StringIO(
        (await user.http_client.get("/api/audit/export.csv?entity=truck", headers=bearer(token))).text)))
    assert truck[0]["old_values"] == '{"size": "20 ft"}' and truck[0]["company_id"] == str(world.company_a)


async def test_an_export_stops_at_its_limit_and_says_so(world: World) -> None:
    admin = world.admin_a
    export = await export_audit_csv(admin, AuditFilters(entity="journey"), limit=7)
    assert (export.rows, export.truncated, export.limit) == (7, True, 7)
    assert len(export.content.strip().splitlines()) == 8
    full = await export_audit_csv(admin, AuditFilters(entity="journey"), limit=30)
    assert (full.rows, full.truncated) == (30, False)
    with pytest.raises(ValidationFailed):
        await export_audit_csv(admin, limit=EXPORT_ROW_LIMIT + 1)


async def test_the_super_admin_reads_every_company_and_may_narrow_to_one(world: World) -> None:
    everything = await list_audit_entries(world.super_admin, page_size=200)
    assert {e["company_id"] for e in everything.items} == {world.company_a, world.company_b}
    beta = await list_audit_entries(world.super_admin, AuditFilters(company_id=world.company_b))
    assert [e["actor_email"] for e in beta.items] == ["admin@beta.test"]


@pytest.mark.parametrize("who", ["dispatcher_a", "mover_a"])
async def test_roles_without_the_audit_permission_are_refused(world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        await list_audit_entries(getattr(world, who))
    with pytest.raises(Forbidden):
        await export_audit_csv(getattr(world, who))


async def test_an_auditor_is_read_only(world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, "auditor@alpha.test", WORLD_PASSWORD)
    for method, path, body in (("POST", "/api/admin/users", {"email": "a@alpha.test", "full_name": "A",
                                                              "role": "MOVER", "password": "long-enough-pw"}),
                               ("PATCH", f"/api/admin/trucks/{world.truck_a}", {"size": "1 ft"}),
                               ("POST", f"/api/admin/locations/{world.a1}/deactivate", None)):
        response = await user.http_client.request(method, path, json=body, headers=bearer(token))
        assert response.status_code == 403, (path, response.text)
    async with unit_of_work() as s:  # keep the auditor honest: a deactivated auditor is out too
        await s.execute(update(User).where(User.email == "auditor@alpha.test").values(status="INACTIVE"))
    assert (await user.http_client.get("/api/audit", headers=bearer(token))).status_code == 401


async def test_a_formula_typed_as_a_sign_in_email_is_inert_in_the_export(world: World, user: SimulatedUser) -> None:
    """Anyone, without signing in, puts text into the trail's actor_email: the CSV must not run it."""
    formula = "=cmd|' /C calc'!A0"
    response = await user.http_client.post("/api/auth/login", json={"email": formula, "password": "x"})
    assert response.status_code == 401
    token = await token_for(user.http_client, "root@ccrm.test", WORLD_PASSWORD)  # unknown emails: no company
    export = await user.http_client.get("/api/audit/export.csv?action=login_failed", headers=bearer(token))
    cells = [row["actor_email"] for row in csv.DictReader(io.StringIO(export.text))]
    assert cells == ["'" + formula.lower()]  # emails are stored lower-cased
