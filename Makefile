# consult: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := consult

.PHONY: run test install install-test translations translations-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Set up and serve the demo on http://127.0.0.1:$(PORT)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo ""
	@echo "consult is running on http://127.0.0.1:$(PORT)  (stop with Ctrl+C)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Serve in production: migrations, then gunicorn with gunicorn.conf.py (see docs/deploy.md)
# Needs CONSULT_SECRET_KEY, CONSULT_DATABASE_URL (PostgreSQL), CONSULT_TESTIMONY_KEYS, CONSULT_AUDIT_KEY,
# CONSULT_RATELIMIT_STORAGE_URL and CONSULT_JOBS_REDIS_URL (Redis); CONSULT_BIND (127.0.0.1:8000),
# CONSULT_WORKERS (2 x CPUs) and CONSULT_THREADS (2) size it. SERVE_MIGRATE=0 skips the migrations
# (on every machine but one when several start together).
.PHONY: serve
SERVE_MIGRATE ?= 1
serve: install
	@if [ "$(SERVE_MIGRATE)" = "1" ]; then CONSULT_ENV=$${CONSULT_ENV:-production} $(BIN)/flask db upgrade; fi
	CONSULT_ENV=$${CONSULT_ENV:-production} $(BIN)/gunicorn -c gunicorn.conf.py

## Install the test dependencies and run the whole suite
# SQLite always; again on PostgreSQL when CONSULT_TEST_DATABASE_URL is set.
# pytest-xdist runs the test files on one worker per CPU, each with its own
# database and browser; PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadfile
test: install-test
	env -u CONSULT_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)
	@if [ -n "$$CONSULT_TEST_DATABASE_URL" ]; then \
		echo "== the suite again, on PostgreSQL"; \
		$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS); \
	fi

## Extract, update and compile the interface catalogues (es, en, pt)
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --no-wrap -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --no-wrap --ignore-pot-creation-date --ignore-obsolete
	$(BIN)/python scripts/translate.py copy-source en
	$(BIN)/pybabel compile -d translations --statistics

## Benchmarks (docs/benchmarks.md); BENCH=ingest runs one (BENCH_INGEST_SECONDS, CONSULT_BENCH_PG_URL: see bench/bench_ingest.py)
bench: install-test
	$(BIN)/python -m bench

## 20 complete responses/s for 10 minutes on the production server, then the long reliability tests
# SOAK_SECONDS (600), SOAK_RATE (20), SOAK_DB (postgresql|sqlite), RELIABILITY_SECONDS (60), SOAK_RELIABILITY=0 skips them.
.PHONY: soak
soak: install-test
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .pytest_cache
