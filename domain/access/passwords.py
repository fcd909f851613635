"""Password hashing (argon2 via passlib; the maintained `libpass` distribution)."""

from __future__ import annotations

from passlib.context import CryptContext

MIN_PASSWORD_LENGTH = 10

_context = CryptContext(schemes=["argon2"], deprecated="auto")


def hash_password(password: str) -> str:
    return _context.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Constant-time check; a malformed hash counts as a mismatch, never an error."""
    try:
        return _context.verify(password, password_hash)
    except (ValueError, TypeError):
        return False
