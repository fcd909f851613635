"""Integration secrets at rest: Fernet tokens, a key from ENCRYPTION_KEY or derived from
JWT_SECRET, masked display, and a clear error when the key changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from config import get_settings
from domain.sync.secrets import SecretUnreadable, decrypt_secret, derive_key, encrypt_secret, mask_secret


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_round_trip_with_the_key_derived_from_jwt_secret(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("ENCRYPTION_KEY", "")
    token = encrypt_secret("sm-live-key-1234")
    assert "sm-live-key-1234" not in token
    assert decrypt_secret(token) == "sm-live-key-1234"
    fernet = Fernet(derive_key(get_settings().jwt_secret.get_secret_value()))
    assert fernet.decrypt(token.encode()) == b"sm-live-key-1234"


def test_a_configured_encryption_key_is_used(settings_env: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key()
    settings_env.setenv("ENCRYPTION_KEY", key.decode())
    get_settings.cache_clear()
    token = encrypt_secret("another-secret")
    assert Fernet(key).decrypt(token.encode()) == b"another-secret"


def test_a_changed_key_makes_stored_secrets_unreadable(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("ENCRYPTION_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    token = encrypt_secret("sm-live-key-1234")
    settings_env.setenv("ENCRYPTION_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    with pytest.raises(SecretUnreadable, match="enter it again"):
        decrypt_secret(token)


def test_a_malformed_encryption_key_is_refused_clearly(settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("ENCRYPTION_KEY", "not-a-fernet-key")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="Fernet key"):
        encrypt_secret("x")


def test_derived_keys_differ_per_secret() -> None:
    assert derive_key("a" * 32) != derive_key("b" * 32)
    Fernet(derive_key("a" * 32))  # a valid Fernet key


@pytest.mark.parametrize(("plain", "masked"), [
    ("sm-live-key-1234", "••••••1234"), ("short", "••••••"), ("", ""), (None, "")])
def test_masking_shows_at_most_the_last_four_characters(plain: str | None, masked: str) -> None:
    assert mask_secret(plain) == masked
