"""Signing in to the API: `POST /api/auth/login` (a bearer token), `GET /api/auth/me`,
`POST /api/auth/logout`, and the super admin portal's `POST /api/super-admin/auth/login`.

Tokens are stateless JWTs (HS256): a logout is recorded, and the client drops its token; a
deactivated user, or a user of a suspended company, is refused at the next request anyway."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from domain.access.rbac import Principal
from domain.access.signin import authenticate, authenticate_super_admin, record_logout
from domain.access.tokens import issue_token

router = APIRouter(prefix="/api", tags=["auth"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    password: str


def principal_view(p: Principal) -> dict[str, object]:
    return {
        "id": p.user_id, "email": p.email, "full_name": p.full_name, "role": p.role.value,
        "company_id": p.company_id, "assigned_location_ids": sorted(p.assigned_location_ids),
        "managed_location_ids": sorted(p.managed_location_ids),
    }


def _token_response(principal: Principal) -> JSONResponse:
    token, lifetime = issue_token(principal)
    return ok({"access_token": token, "token_type": "bearer", "expires_in": lifetime,
               "user": principal_view(principal)}, "signed in")


@router.post("/auth/login")
async def login(credentials: Credentials) -> JSONResponse:
    """401 for wrong credentials or an inactive account, 429 while the email is locked out."""
    return _token_response(await authenticate(credentials.email, credentials.password))


@router.post("/super-admin/auth/login")
async def super_admin_login(credentials: Credentials) -> JSONResponse:
    """Only super admins get a token here; other valid accounts get 403 (and no token)."""
    return _token_response(await authenticate_super_admin(credentials.email, credentials.password))


@router.get("/auth/me")
async def me(principal: CurrentPrincipal) -> JSONResponse:
    return ok(principal_view(principal))


@router.post("/auth/logout")
async def logout(principal: CurrentPrincipal) -> JSONResponse:
    await record_logout(principal)
    return ok(None, "signed out: discard the token")
