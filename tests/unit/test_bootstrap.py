"""`scripts/bootstrap.sh`, the set-up behind `make run`: run for real on a copy of the project
whose .venv is already installed, so it must finish without installing anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_setup_finishes_when_the_app_is_installed(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts" / "bootstrap.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    stamp = tmp_path / ".venv" / ".installed"
    stamp.touch()
    later = time.time() + 60  # the stamp is newer than pyproject.toml: nothing to install
    os.utime(stamp, (later, later))

    done = subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHON": sys.executable})

    assert done.returncode == 0, done.stdout + done.stderr
    assert stamp.stat().st_mtime == later  # untouched: it did not reinstall
