"""Production mode refuses to start without real secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config import DEMO_SECRET, Settings


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError, match="STORAGE_SECRET, JWT_SECRET"):
        Settings(demo_mode=False, storage_secret=DEMO_SECRET, jwt_secret=DEMO_SECRET)


def test_production_refuses_short_secrets() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(demo_mode=False, storage_secret="s" * 40, jwt_secret="short")


def test_production_accepts_real_secrets_and_demo_accepts_defaults() -> None:
    assert Settings(demo_mode=False, storage_secret="s" * 40, jwt_secret="j" * 40).demo_mode is False
    assert Settings(demo_mode=True).storage_secret.get_secret_value() == DEMO_SECRET
