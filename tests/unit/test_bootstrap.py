"""`scripts/bootstrap.sh`, the set-up behind `make run` and `make test`: run for real on a copy of
the project whose .venv is already installed, so it must finish without installing anything; and
when the lock file changed, it installs the lock's exact versions, then the project without deps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _project_copy(tmp_path: Path) -> Path:
    """bootstrap.sh, pyproject.toml and the lock files in `tmp_path`, with an installed-looking .venv
    (its stamp a minute newer than every file); returns the stamp."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts" / "bootstrap.sh")
    for name in ("pyproject.toml", "requirements.lock", "requirements-test.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    stamp = tmp_path / ".venv" / ".installed"
    stamp.touch()
    later = time.time() + 60
    os.utime(stamp, (later, later))
    return stamp


def _bootstrap(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "scripts/bootstrap.sh"], check=False, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHON": sys.executable})


def test_make_run_setup_finishes_when_the_app_is_installed(tmp_path: Path) -> None:
    stamp = _project_copy(tmp_path)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    installed_at = stamp.stat().st_mtime  # the stamp is newer than pyproject.toml and the lock: nothing to install

    done = _bootstrap(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert stamp.stat().st_mtime == installed_at  # untouched: it did not reinstall


def test_a_newer_lock_file_is_installed_exactly_then_the_project_without_dependencies(tmp_path: Path) -> None:
    stamp = _project_copy(tmp_path)
    calls = tmp_path / "calls.txt"
    fake_python = tmp_path / ".venv" / "bin" / "python"  # records what bootstrap asks it to do
    fake_python.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n')
    fake_python.chmod(0o755)
    installed_at = stamp.stat().st_mtime
    newer = installed_at + 60  # as after a pull that changed the lock
    os.utime(tmp_path / "requirements.lock", (newer, newer))

    done = _bootstrap(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    installs = [line.split() for line in calls.read_text().splitlines()]
    assert [args[-2:] for args in installs] == [["-r", "requirements.lock"], ["-e", "."]]
    assert "--no-deps" in installs[1] and all(args[:3] == ["-m", "pip", "install"] for args in installs)
    assert stamp.stat().st_mtime != installed_at  # touched again once installed
