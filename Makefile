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

bench: install-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
