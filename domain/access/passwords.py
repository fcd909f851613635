"""Password hashing (argon2 via passlib; the maintained `libpass` distribution)."""

from __future__ import annotations

from passlib.context import CryptContext

MIN_PASSWORD_LENGTH = 10

_context = CryptContext(schemes=["argon2"], deprecated="auto")


def hash_password(password: str) -> str:
    hashed: str = _context.hash(password)
    return hashed


def verify_password(password: str, password_hash: str) -> bool:
    """Constant-time check; a malformed hash counts as a mismatch, never an error."""
    try:
        matches: bool = _context.verify(password, password_hash)
        return matches
    except (ValueError, TypeError):
        return False
