"""Production mode refuses to start without real secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from config import DEMO_SECRET, ROOT, Settings


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError, match="STORAGE_SECRET, JWT_SECRET"):
        Settings(demo_mode=False, storage_secret=DEMO_SECRET, jwt_secret=DEMO_SECRET)


def test_production_refuses_short_secrets() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(demo_mode=False, storage_secret="s" * 40, jwt_secret="short")


def test_production_accepts_real_secrets_and_demo_accepts_defaults() -> None:
    assert Settings(demo_mode=False, storage_secret="s" * 40, jwt_secret="j" * 40).demo_mode is False
    assert Settings(demo_mode=True).storage_secret.get_secret_value() == DEMO_SECRET


def test_production_is_the_default() -> None:
    assert Settings.model_fields["demo_mode"].default is False


def test_python_app_py_without_settings_refuses_to_start_with_a_clear_reason(tmp_path: Path) -> None:
    """No DEMO_MODE, no secrets: the app stops before serving anything and says why."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEMO_MODE", "STORAGE_SECRET", "JWT_SECRET"} and not k.startswith(("PYTEST", "NICEGUI"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'never.db'}"
    result = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "C&C CRM cannot start: production mode needs real secrets" in result.stderr
    assert "STORAGE_SECRET, JWT_SECRET" in result.stderr and "DEMO_MODE=1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "never.db").exists()


def test_make_run_asks_for_demo_mode() -> None:
    run_recipe = (ROOT / "Makefile").read_text().split("\nrun:\n", 1)[1].split("\n\n", 1)[0]
    assert "DEMO_MODE=1 .venv/bin/python app.py" in run_recipe
