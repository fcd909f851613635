"""The API's sign-in: tokens, the lockout, refused tokens of every kind, inactive accounts and
suspended companies, the super admin portal, logout — and no secret in the logs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from nicegui.testing import User as SimulatedUser
from sqlalchemy import select, update

from config import get_settings
from db.enums import CompanyStatus, UserStatus
from db.models import AuditEntry, Company, LoginAttempt, User, utcnow
from domain.access.signin import MAX_FAILURES
from domain.unit_of_work import read_session, unit_of_work
from tests.helpers import bearer, count, token_for
from tests.world import WORLD_PASSWORD, World, build_world

ADMIN = "admin@alpha.test"
PASSWORD = WORLD_PASSWORD


@pytest.fixture
async def world(db: str) -> World:
    return await build_world()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user_id: int, **overrides: object) -> dict:
    now = utcnow()
    return {"sub": str(user_id), "ver": 0, "role": "ADMIN", "company_id": 1, "iat": int(now.timestamp()),
            "exp": int((now + timedelta(hours=1)).timestamp()), **overrides}


async def _user_id(email: str) -> int:
    async with read_session() as s:
        return await s.scalar(select(User.id).where(User.email == email))


async def _me(client, token: str):  # type: ignore[no-untyped-def]
    return await client.get("/api/auth/me", headers=bearer(token))


async def test_login_returns_a_bearer_token_and_the_user(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.post("/api/auth/login", json={"email": " Dispatch@Alpha.TEST ",
                                                                      "password": PASSWORD})
    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    data = body["data"]
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == int(get_settings().jwt_lifetime_hours * 3600)
    assert data["user"]["email"] == "dispatch@alpha.test" and data["user"]["role"] == "DISPATCHER"
    assert data["user"]["company_id"] == world.company_a and data["user"]["id"] == world.dispatcher_a.user_id
    assert data["user"]["assigned_location_ids"] == [world.a1] and data["user"]["managed_location_ids"] == []
    me = await _me(user.http_client, data["access_token"])
    assert me.status_code == 200 and me.json()["data"] == data["user"]


async def test_wrong_password_is_401_in_the_envelope(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "not_authenticated", "message": "wrong email or password"}


async def test_a_malformed_login_body_is_422_in_the_envelope(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.post("/api/auth/login", json={"email": ADMIN})
    assert response.status_code == 422
    assert response.json()["success"] is False and "password" in response.json()["message"]


async def test_five_failures_lock_the_email_even_for_the_right_password(world: World, user: SimulatedUser) -> None:
    for _ in range(MAX_FAILURES):
        response = await user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": "wrong-guess-1"})
        assert response.status_code == 401
    response = await user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_requests"
    assert "too many failed sign-in attempts" in response.json()["message"]
    assert "access_token" not in response.text
    assert await count(AuditEntry, AuditEntry.action == "login_locked", AuditEntry.actor_email == ADMIN) == 1
    assert await count(AuditEntry, AuditEntry.action == "login_failed", AuditEntry.actor_email == ADMIN) == MAX_FAILURES
    # another account is not affected
    other = await token_for(user.http_client, "admin@beta.test", PASSWORD)
    assert (await _me(user.http_client, other)).status_code == 200


@pytest.mark.postgres_only
async def test_forty_guesses_at_once_check_at_most_five_passwords(world: World, user: SimulatedUser) -> None:
    """All sent together (each on its own connection): the lockout counter is not a read-then-write race."""
    responses = await asyncio.gather(*(
        user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": f"wrong-guess-{i}"})
        for i in range(40)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * MAX_FAILURES + [429] * (40 - MAX_FAILURES)
    assert await count(AuditEntry, AuditEntry.action == "login_failed", AuditEntry.actor_email == ADMIN) == MAX_FAILURES
    assert await count(LoginAttempt, LoginAttempt.email == ADMIN) == MAX_FAILURES


async def test_failures_older_than_the_window_do_not_lock(world: World, user: SimulatedUser) -> None:
    async with unit_of_work() as s:
        s.add_all(LoginAttempt(email=ADMIN, success=False, at=utcnow() - timedelta(minutes=16))
                  for _ in range(MAX_FAILURES))
    assert await token_for(user.http_client, ADMIN, PASSWORD)


def _forged_tokens(user_id: int) -> dict[str, str]:
    secret = get_settings().jwt_secret.get_secret_value()
    valid = jwt.encode(_claims(user_id), secret, algorithm="HS256")
    head, payload, signature = valid.split(".")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # key confusion: claims an RS256 signature but carries an HMAC of the shared secret
    signing_input = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{payload}"
    hmac_signature = base64.urlsafe_b64encode(
        hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    return {
        "expired": jwt.encode(_claims(user_id, iat=0, exp=int((utcnow() - timedelta(minutes=1)).timestamp())),
                              secret, algorithm="HS256"),
        "tampered_payload": f"{head}.{_b64(_claims(user_id + 1))}.{signature}",
        "tampered_signature": f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}",
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "hs512_same_secret": jwt.encode(_claims(user_id), secret, algorithm="HS512"),
        "rs256": jwt.encode(_claims(user_id), rsa_key, algorithm="RS256"),
        "rs256_header_hmac_signature": f"{signing_input}.{hmac_signature}",
        "other_secret": jwt.encode(_claims(user_id), "another-secret-of-enough-length-1234", algorithm="HS256"),
        "no_sub": jwt.encode({k: v for k, v in _claims(user_id).items() if k != "sub"}, secret, algorithm="HS256"),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize("kind", ["expired", "tampered_payload", "tampered_signature", "alg_none", "hs512_same_secret",
                                  "rs256", "rs256_header_hmac_signature", "other_secret", "no_sub", "garbage"])
async def test_forged_or_expired_tokens_are_401(world: World, user: SimulatedUser, kind: str) -> None:
    token = _forged_tokens(await _user_id(ADMIN))[kind]
    for request in (user.http_client.get("/api/auth/me", headers=bearer(token)),
                    user.http_client.post("/api/auth/logout", headers=bearer(token))):
        response = await request
        assert response.status_code == 401, (kind, response.text)
        assert response.json()["success"] is False and response.json()["error"] == "not_authenticated"
    if kind == "expired":
        assert "expired" in response.json()["message"]


async def test_a_genuine_token_of_an_unknown_user_is_401(world: World, user: SimulatedUser) -> None:
    token = jwt.encode(_claims(987654), get_settings().jwt_secret.get_secret_value(), algorithm="HS256")
    response = await _me(user.http_client, token)
    assert response.status_code == 401 and response.json()["message"].startswith("unknown or inactive user")


async def test_no_token_is_401(world: World, user: SimulatedUser) -> None:
    response = await user.http_client.get("/api/auth/me")
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("status", [UserStatus.INACTIVE, UserStatus.SUSPENDED])
async def test_an_inactive_or_suspended_user_cannot_sign_in_and_their_token_stops(
        world: World, user: SimulatedUser, status: UserStatus) -> None:
    token = await token_for(user.http_client, "dispatch@alpha.test", PASSWORD)
    async with unit_of_work() as s:
        await s.execute(update(User).where(User.email == "dispatch@alpha.test").values(status=status))
    assert (await _me(user.http_client, token)).status_code == 401
    response = await user.http_client.post("/api/auth/login", json={"email": "dispatch@alpha.test",
                                                                      "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["message"] == "this account is not active"
    assert "access_token" not in response.text


async def test_users_of_a_suspended_company_cannot_sign_in_and_their_tokens_stop(
        world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, ADMIN, PASSWORD)
    async with unit_of_work() as s:
        await s.execute(update(Company).where(Company.id == world.company_a).values(status=CompanyStatus.SUSPENDED))
    assert (await _me(user.http_client, token)).status_code == 401
    response = await user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 401 and "suspended" in response.json()["message"]
    # the other company and the super admin (who belongs to no company) are not affected
    assert await token_for(user.http_client, "admin@beta.test", PASSWORD)
    assert await token_for(user.http_client, "root@ccrm.test", PASSWORD)


async def test_the_super_admin_portal_gives_tokens_to_super_admins_only(world: World, user: SimulatedUser) -> None:
    ok = await user.http_client.post("/api/super-admin/auth/login",
                                     json={"email": "root@ccrm.test", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["data"]["user"]["role"] == "SUPER_ADMIN"
    for email in ("admin@alpha.test", "dispatch@alpha.test", "mover@alpha.test"):
        refused = await user.http_client.post("/api/super-admin/auth/login",
                                              json={"email": email, "password": PASSWORD})
        assert refused.status_code == 403, email
        assert refused.json()["success"] is False and "data" not in refused.json()
        assert "access_token" not in refused.text
    assert await count(AuditEntry, AuditEntry.action == "login_refused") == 3
    wrong = await user.http_client.post("/api/super-admin/auth/login",
                                        json={"email": "admin@alpha.test", "password": "wrong-password"})
    assert wrong.status_code == 401


async def test_logout_is_audited(world: World, user: SimulatedUser) -> None:
    token = await token_for(user.http_client, ADMIN, PASSWORD)
    response = await user.http_client.post("/api/auth/logout", headers=bearer(token))
    assert response.status_code == 200 and response.json()["success"] is True
    async with read_session() as s:
        entry = await s.scalar(select(AuditEntry).where(AuditEntry.action == "logout"))
    assert entry is not None and entry.actor_email == ADMIN and entry.user_id == await _user_id(ADMIN)


async def test_neither_password_nor_token_is_ever_logged(world: World, user: SimulatedUser,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_password = "Wr0ng-But-Secret-Pass"
    await user.http_client.post("/api/auth/login", json={"email": ADMIN, "password": secret_password})
    token = await token_for(user.http_client, ADMIN, PASSWORD)
    await _me(user.http_client, token)
    await user.http_client.post("/api/auth/logout", headers=bearer(token))
    await user.http_client.post("/api/auth/login", json={"email": ADMIN})  # 422 path
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "POST /api/auth/login" in logged  # the access log did run
    for secret in (secret_password, PASSWORD, token, token.split(".")[2]):
        assert secret not in logged
    async with read_session() as s:
        trail = json.dumps([[e.old_values, e.new_values] for e in (await s.scalars(select(AuditEntry))).all()])
    assert secret_password not in trail and PASSWORD not in trail
