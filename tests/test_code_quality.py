"""Lint and types (issue 12): `ruff check .` and `mypy` (strict, on the app's code: domain, api,
pages, components, integrations, db and the top-level modules) pass, as configured in pyproject.toml.
Both run from this interpreter's environment; mypy's cache (.mypy_cache) makes reruns take seconds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tool: str, *args: str) -> None:
    try:
        __import__(tool)
    except ImportError:
        pytest.fail(f"{tool} is not installed in {sys.prefix}: it belongs with the test dependencies")
    result = subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed:\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing() -> None:
    _run("ruff", "check", ".")


def test_mypy_finds_nothing_in_the_app() -> None:
    _run("mypy")
