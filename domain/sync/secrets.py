"""Integration secrets at rest: the SmartMoving API key and webhook secret are stored as Fernet
tokens and only ever shown masked.

The Fernet key is ENCRYPTION_KEY when set (a key made by `Fernet.generate_key()`); otherwise it
is derived from JWT_SECRET with HKDF-SHA256 (fixed salt and info below), so a deployment that
sets only JWT_SECRET still encrypts. Changing either secret makes stored tokens unreadable:
`decrypt_secret` then raises `SecretUnreadable` and the super admin re-enters the key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config import get_settings
from domain.errors import DomainError

HKDF_SALT = b"ccrm/integration-secrets"
HKDF_INFO = b"fernet-key/v1"
MASK = "••••••"
#: Characters of a secret shown after the mask (only for secrets long enough to keep them hidden).
VISIBLE_TAIL = 4
MIN_LENGTH_FOR_TAIL = 12


class SecretUnreadable(DomainError):
    status_code = 409
    code = "secret_unreadable"


def derive_key(secret: str) -> bytes:
    """A Fernet key (urlsafe base64 of 32 bytes) from any secret, by HKDF-SHA256."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


def _fernet() -> Fernet:
    settings = get_settings()
    configured = settings.encryption_key.get_secret_value().strip()
    if not configured:
        return Fernet(derive_key(settings.jwt_secret.get_secret_value()))
    try:
        return Fernet(configured.encode())
    except ValueError as exc:
        raise ValueError("ENCRYPTION_KEY must be a Fernet key (Fernet.generate_key())") from exc


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "a stored integration secret cannot be decrypted (the encryption key changed): enter it again"
        ) from None


def mask_secret(plain: str | None) -> str:
    """`••••••1234` for long secrets, `••••••` for short ones, "" when there is none."""
    if not plain:
        return ""
    return MASK + (plain[-VISIBLE_TAIL:] if len(plain) >= MIN_LENGTH_FOR_TAIL else "")
