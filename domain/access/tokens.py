"""API access tokens: JWT, HS256 only, with `sub`, `ver` (the user's token version: a token of an
older version is refused, see `domain/access/revocation.py`), `role`, `company_id`, `iat`, `exp`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt

from config import get_settings
from db.models import utcnow
from domain.errors import NotAuthenticated
from domain.access.rbac import Principal

ALGORITHM = "HS256"


def issue_token(principal: Principal, lifetime: timedelta | None = None) -> tuple[str, int]:
    """(token, lifetime in seconds); `lifetime` shortens it (never beyond the configured one)."""
    settings = get_settings()
    now = utcnow()
    longest = timedelta(hours=settings.jwt_lifetime_hours)
    lifetime = min(lifetime, longest) if lifetime is not None else longest
    claims = {
        "sub": str(principal.user_id),
        "ver": principal.token_version,
        "role": principal.role.value,
        "company_id": principal.company_id,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    token = jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_token(token: str) -> dict[str, Any]:
    """The claims of a valid token; anything else (expired, tampered, other algorithm) is 401."""
    try:
        return jwt.decode(
            token,
            get_settings().jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "ver", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("your session has expired: sign in again") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("invalid access token") from exc
