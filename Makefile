# Quickstart: `make run` (app on http://127.0.0.1:8000) and `make test`.
PY := .venv/bin/python
# make targets are for development; production sets its own environment (README).
export DJANGO_DEBUG ?= 1
# Python writes its bytecode (.pyc), as by default, where the environment says not to (this
# project's machines set PYTHONDONTWRITEBYTECODE=1): each module is compiled once, by its first
# import, instead of in every process (scripts/setup.sh compiles the installed packages ahead);
# pytest keeps its rewritten test modules too (collecting the suite: 7.7 s, 3.6 s once written).
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test bench bench-scale load setup setup-dev lint pytest pytest-postgres pytest-postgres-all test-sqlite-share test-postgres-share test-durations clean

setup:
	@scripts/setup.sh run

setup-dev:
	@scripts/setup.sh dev

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_bank fixtures/banks/history/ai-vendor-due-diligence-v1.yaml fixtures/banks/history/ai-vendor-due-diligence-v2.yaml fixtures/banks/history/ai-vendor-due-diligence-v3.yaml fixtures/banks/ai-vendor-due-diligence.yaml
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Open http://127.0.0.1:8000/ and log in with one of the demo accounts above."
	@echo ""
	@echo "  A report worker (manage.py db_worker) runs beside the server; Ctrl-C stops both."
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py db_worker --no-reload --interval 0.1 & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:8000

lint: setup-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --lint
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	.venv/bin/lint-imports

# Every test, on SQLite.
pytest: setup-dev
	.venv/bin/pytest --durations=15

# make test's two shares (tests/conftest.py, --share; README, Quickstart). Database tests whose result
# depends on the database run in both; every other test runs once, on the side that evens out the
# time (tests/durations.json). SQLite's test database is built from the models (the PostgreSQL share
# and tests/assessments/test_checks.py run the migrations); PostgreSQL is a throwaway cluster
# (scripts/with-postgres.sh). Each share writes its modules' seconds to test-artifacts/durations-*.json.
test-sqlite-share: setup-dev
	TEST_DURATIONS_OUT=test-artifacts/durations-sqlite.json .venv/bin/pytest --durations=15 --share=sqlite --no-migrations

test-postgres-share: setup-dev
	TEST_DURATIONS_OUT=test-artifacts/durations-postgres.json scripts/with-postgres.sh .venv/bin/pytest --durations=15 --share=postgres

# After a `make test`, weigh the split with what each module took (tests/durations.json).
test-durations:
	$(PY) scripts/test_durations.py

pytest-postgres: test-postgres-share

# Every test, browser and PDF ones included, on PostgreSQL.
pytest-postgres-all: setup-dev
	scripts/with-postgres.sh .venv/bin/pytest

# The SQLite and PostgreSQL runs go side by side (one per core), the linters beside their start
# (a failure still fails the run); each one's output is printed whole when it ends
# (--output-sync), so the last line is a pytest summary.
test: setup-dev
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint test-sqlite-share test-postgres-share

# Performance figures as ratios against baselines measured in the same run (bench/run.py).
bench: setup-dev
	$(PY) bench/run.py

# The list, portfolio, reviews, home and section pages, autosave and rescoring at 100,000 assessments
# and 5M answer changes, on a throwaway PostgreSQL cluster (bench/scale.py; about 5 minutes, so apart
# from make bench). Figures are merged into bench/results.json.
bench-scale: setup-dev
	scripts/with-postgres.sh $(PY) bench/scale.py

# Bounded load on loopback: gunicorn (2 workers) + db_worker, 20 users for 60 s (bench/load.py).
load: setup-dev
	$(PY) bench/load.py

clean:
	rm -rf .venv db.sqlite3 media .pytest_cache
