# The two commands of the README: `make run` (the app in demo mode on SQLite) and `make test`.
# `python app.py` alone runs in production mode: it needs real secrets (see .env.example).
.PHONY: run test lock bench bench-board bench-planner bench-live bench-fanout bench-sync bench-webhook bench-webhook-board \
	bench-load bench-faults bench-outbox

run:
	./scripts/bootstrap.sh
	DEMO_MODE=1 .venv/bin/python app.py

# The suite in parallel (pytest-xdist): a worker per core (at most 4), each on its own databases
# (`<test db>_gw0`, ...); the tests of a module stay together on one worker (its module fixtures,
# e.g. served apps, start once; `incremental` stories keep their order). PYTEST_WORKERS=0: serial.
PYTEST_WORKERS ?= auto
test:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m pytest -q -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadscope --no-loadscope-reorder --durations=30 $(PYTEST_ARGS); \
	status=$$?; [ $$status -ne 5 ] || echo "error: pytest collected no tests" >&2; exit $$status

# Re-lock requirements.lock and requirements-test.lock from pyproject.toml's ranges (uv pip compile);
# e.g. `make lock LOCK_ARGS="--upgrade-package nicegui"` or `LOCK_ARGS=--upgrade`.
lock:
	./scripts/lock.sh $(LOCK_ARGS)

# The company-scale benchmark (issue 8); e.g. `make bench BENCH_ARGS="--scale 10"`.
bench:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.company $(BENCH_ARGS)

bench-board:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.board

# The planner: a week of ~600 jobs for 3 branches in Chromium, and suggested crews for 100 jobs (issue 16).
bench-planner:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.planner $(BENCH_ARGS)

bench-live:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.live

# N = 1, 50, 150, 300 open board and phone pages, one change, every page updated; then a 2,000-job
# sync with the pages open (issue 18); e.g. `make bench-fanout BENCH_ARGS="--instances 2"`.
bench-fanout:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.fanout $(BENCH_ARGS)

bench-sync:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.sync_day

bench-webhook:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.webhook_rate

# 200 concurrent API clients (30 % writes) for 60 s against one instance (issue 17); e.g.
# `make bench-load BENCH_ARGS="--redis-url redis://127.0.0.1:6379/5"` with sessions in Redis.
bench-load:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.api_load $(BENCH_ARGS)

# From a SmartMoving webhook to the changed card on an open board (Chromium).
bench-webhook-board:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.webhook_board $(BENCH_ARGS)

# The sync through faults at full length (issue 20): storms, resets, truncated bodies, hangs.
bench-faults:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.faults $(BENCH_ARGS)

# A crew phone's outbox replayed after a dead spot (issue 14): 50 actions with 5 photos, in Chromium.
bench-outbox:
	./scripts/bootstrap.sh --test
	.venv/bin/python -m bench.outbox_replay $(BENCH_ARGS)
