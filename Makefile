# Giełda Wolontariatu OKIK: `make run` to start the app with demo data, `make test` to run the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/okik_test
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: bench-search bench-reminders bench-web bench-matching bench-suggestions bench-all run serve install install-test translations extract-messages update-messages db seed \
        test test-sqlite test-postgres test-clock lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The Nu Html Checker (a Java program shipped in the npm package vnu-jar) that
# tests/test_html_validity.py runs over every page. Its postinstall script would download a Java
# runtime: it is not run, the system's Java is used (.ci/run installs it).
VNU_VERSION := 26.9.27
VNU_DIR := .cache/vnu
VNU_JAR := $(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_DIR)/.installed-$(VNU_VERSION):
	@if command -v npm >/dev/null; then \
		npm install --prefix $(VNU_DIR) --ignore-scripts --no-save --no-audit --no-fund --silent vnu-jar@$(VNU_VERSION) \
			&& touch $@; \
	else \
		echo "*** npm not found: the Nu Html Checker is not installed, its test will be skipped ***"; \
	fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test $(VNU_DIR)/.installed-$(VNU_VERSION)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -f -i $< -o $@ 2>&1 | grep -v "^compiling" || true

translations: $(MO_FILES)

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --sort-by-file --no-wrap --project="Giełda Wolontariatu OKIK" .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python scripts/fill_polish_plurals.py

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

# Background processes that run beside the web server: started again when they die, stopped
# with it (Ctrl-C stops everything). Add one with another --keep.
BACKGROUND := --keep "$(FLASK) scheduler" --keep "$(FLASK) matching-worker"

run: install translations seed
	@echo "Giełda Wolontariatu OKIK: http://127.0.0.1:$(PORT)  (demo accounts: see README.md)"
	@$(BIN)/python scripts/supervise.py $(BACKGROUND) -- $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test translations
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-clock
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_ADMIN_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES) but does not answer at 127.0.0.1:5432"; exit 1; \
	else \
		echo "*** PostgreSQL does not answer at 127.0.0.1:5432: the PostgreSQL run is SKIPPED ***"; \
	fi

test-sqlite:
	@echo "=== Test suite on SQLite ==="
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests marked `clock` again with the clock started at moments where dates and hours bite
# (times with their Warsaw offset): the night and the evening (quiet hours), New Year's night
# (already the 1st in Warsaw, still the 31st in UTC), the last evening of February, and both
# daylight-saving change days in Europe/Warsaw.
CLOCK_MOMENTS ?= 2026-12-02T02:30:00+01:00 2026-12-02T21:30:00+01:00 2027-01-01T00:30:00+01:00 \
                 2027-02-28T23:30:00+01:00 2027-03-28T01:30:00+01:00 2027-10-31T02:30:00+02:00
test-clock:
	@failed=""; for moment in $(CLOCK_MOMENTS); do \
		echo "=== Clock-sensitive tests on SQLite, clock starting at $$moment ==="; \
		env -u TEST_DATABASE_URL OKIK_TEST_NOW=$$moment $(BIN)/python -m pytest -m clock -q \
			-p no:cacheprovider $(PYTEST_ARGS) || failed="$$failed $$moment"; \
	done; \
	if [ -n "$$failed" ]; then echo "Clock-sensitive tests failed at:$$failed"; exit 1; fi

test-postgres:
	@echo "=== Test suite on PostgreSQL ($(PG_TEST_URL)) ==="
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, security findings, types, the import boundaries between layers and dead code (pyproject.toml).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet app matching tests bench scripts config.py
	$(BIN)/bandit -q -r app matching -ll
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture

bench: install-test
	@for size in "1000 200" "10000 2000" "100000 20000"; do \
		set -- $$size; \
		$(BIN)/python -m matching.bench --volunteers $$1 --needs $$2 --seed 1 --json; \
		$(BIN)/python -m matching.bench --volunteers $$1 --needs $$2 --seed 1 --contended --json; \
	done

# Benchmarks on PostgreSQL at national scale (they empty and refill their own databases).
bench-search: install-test
	$(BIN)/python -m bench.needs_search

bench-reminders: install-test
	$(BIN)/python -m bench.reminders

# gunicorn on PostgreSQL under wrk: loads 100k volunteers, 5k institutions, 20k needs and 1M past
# assignments (BENCH_WEB_ARGS=--skip-load reuses them), then prints one JSON line per endpoint.
# locust lives in a venv of its own: it brings gevent and a web stack of its own.
VENV_LOAD := .venv-load
$(VENV_LOAD)/bin/locust:
	$(PYTHON) -m venv $(VENV_LOAD)
	$(VENV_LOAD)/bin/pip install --quiet --upgrade pip
	$(VENV_LOAD)/bin/pip install --quiet "locust>=2.30"

bench-web: install translations $(VENV_LOAD)/bin/locust
	@command -v wrk >/dev/null || { echo "Installing wrk"; apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; }
	$(BIN)/python -m bench.web --locust $(VENV_LOAD)/bin/locust $(BENCH_WEB_ARGS)

# A coordinator's coalition-wide run at national scale: gunicorn and the matching worker on
# PostgreSQL, the run started through the form, 50 people on the needs search meanwhile; one JSON
# line with seconds per stage, the worker's peak RSS and the search's p95
# (BENCH_MATCHING_ARGS=--skip-load reuses the data).
bench-matching: install translations
	$(BIN)/python -m bench.matching_run $(BENCH_MATCHING_ARGS)

# "Polecani wolontariusze" for one shift and "Dla Ciebie" for one volunteer, timed inside the app
# on PostgreSQL at national scale (bench.national's data): one JSON line each with p50 and p95 in
# milliseconds, against a p95 target of 20 ms (BENCH_SUGGESTIONS_ARGS="--skip-load" reuses the
# data, --database-url picks the database).
bench-suggestions: install translations
	$(BIN)/python -m bench.suggestions $(BENCH_SUGGESTIONS_ARGS)

bench-all: bench bench-search bench-reminders bench-web bench-matching bench-suggestions

clean:
	rm -rf $(VENV) $(VENV_LOAD) $(VNU_DIR) instance/*.db instance/*.db-wal instance/*.db-shm instance/*.db.scheduler.lock translations/*/LC_MESSAGES/*.mo .pytest_cache
