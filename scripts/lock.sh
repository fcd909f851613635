#!/usr/bin/env bash
# Re-locks the exact versions the app and the tests install: requirements.lock (the app) and
# requirements-test.lock (the app and the `test` extra), from pyproject.toml's ranges, for
# CPython 3.11 on linux x86_64. `make lock` runs it; pass package names to move only those,
# e.g. `make lock LOCK_ARGS="--upgrade-package nicegui"`, or `--upgrade` for everything.
# Installs uv (the resolver) into .venv from PyPI if it is not there yet.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet "uv>=0.5"

compile() {
  .venv/bin/uv pip compile pyproject.toml --quiet --python-version 3.11 \
    --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" "$@"
}
compile -o requirements.lock "$@"
compile --extra test -o requirements-test.lock "$@"
echo "locked: requirements.lock ($(grep -c '==' requirements.lock) packages)," \
  "requirements-test.lock ($(grep -c '==' requirements-test.lock) packages)"
