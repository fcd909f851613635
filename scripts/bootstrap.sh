#!/usr/bin/env bash
# Creates .venv and installs the app (and, with --test, the test extra, Debian's chromium for
# Playwright, and a running local PostgreSQL). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
want_test=false
[ "${1:-}" = "--test" ] && want_test=true

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Python >= 3.11 is required (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# The exact versions of the lock file (`make lock` writes them from pyproject.toml's ranges), then
# the project itself without resolving anything again. Reinstalls when the lock or pyproject.toml
# is newer than the stamp (a pull or checkout that changes them does that).
# (not `$($want_test && echo -test)`: under `set -e` a false substitution ends the script)
stamp=.venv/.installed
lock=requirements.lock
if $want_test; then stamp=.venv/.installed-test; lock=requirements-test.lock; fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  [ -f "$lock" ] || { echo "error: $lock is missing (make lock writes it)" >&2; exit 1; }
  # `python -m pip`, not .venv/bin/pip: a copied or moved venv's scripts point at the old path
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi

$want_test || exit 0

# Debian packages the tests use: chromium (Playwright drives it) and nginx (the sticky proxy test).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages for the tests: ${missing[*]}..."
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing and could not be installed" >&2; exit 1; }
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { echo "error: nginx is missing and could not be installed" >&2; exit 1; }

# PostgreSQL for the tests: the URL in TEST_DATABASE_URL, default the local cluster.
if [ -z "${TEST_DATABASE_URL:-}" ] || [[ "$TEST_DATABASE_URL" == postgresql* ]]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster..."
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || {
    echo "error: PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started" >&2; exit 1; }
fi

# Redis for the failover test (sessions shared by two instances): REDIS_TEST_URL, default the
# local server, which is started if it is installed but down.
if [ -z "${TEST_DATABASE_URL:-}" ] || [[ "$TEST_DATABASE_URL" == postgresql* ]]; then
  redis_url=${REDIS_TEST_URL:-redis://127.0.0.1:6379/5}
  redis_up() { .venv/bin/python -c 'import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()' "$redis_url" 2>/dev/null; }
  if ! redis_up && [ -z "${REDIS_TEST_URL:-}" ] && command -v redis-server >/dev/null; then
    echo "Redis is not answering on 127.0.0.1:6379; starting it..."
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null || true
    for _ in $(seq 1 10); do redis_up && break; sleep 1; done
  fi
  redis_up || { echo "error: Redis is not reachable at $redis_url (the failover test needs it; set REDIS_TEST_URL)" >&2; exit 1; }
fi
