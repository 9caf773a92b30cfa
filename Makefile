# Lépés: the two commands of the README, and the steps they are made of.
#
#   make run    virtualenv, install, translations, migrate, demo data, serve on 127.0.0.1:8000
#   make test   virtualenv, install with test extras, ruff, the whole suite on SQLite, and again
#               on PostgreSQL when TEST_DATABASE_URL is set (scripts/services.sh starts one)
#
# Only Python 3.11 is needed beforehand. Variables: PYTHON (the interpreter that makes the
# virtualenv), HOST, PORT, PYTEST_ARGS (passed to every pytest run), SEED=0 (skip demo data).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
DEMO_SETTINGS := config.settings.demo
NODE_STAMP := $(if $(wildcard package-lock.json),node_modules/.installed)

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help run test lint messages migrate seed install install-test services-start \
	services-stop clean bench

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'

# --- virtualenv -------------------------------------------------------------------------------

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: set PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "$(PYTHON) is not Python 3.11 (pyproject.toml requires 3.11): set PYTHON=..." >&2; exit 1; }
	@echo "== creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "python -m venv failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }

# A stamp per extra: installing again only when pyproject.toml changes.
$(VENV)/.installed-runtime: pyproject.toml | $(PY)
	@echo "== installing dependencies"
	@$(PY) -m pip install --quiet --progress-bar off -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	@echo "== installing dependencies with test extras"
	@$(PY) -m pip install --quiet --progress-bar off -e ".[test]"
	@touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-test: $(VENV)/.installed-test $(NODE_STAMP)

# Test-only JavaScript from the npm registry (axe-core for the accessibility test; no front-end
# build). Without npm the tests that need node_modules/ skip, and say so.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		echo "== npm ci (test tools)"; \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "== npm not found: tests that need node_modules/ will skip"; \
	fi

# --- the demo ---------------------------------------------------------------------------------

messages: $(VENV)/.installed-runtime
	@$(PY) scripts/compile_messages.py

migrate: $(VENV)/.installed-runtime
	@echo "== migrating (DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS))"
	@DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py migrate --no-input

# seed_demo is optional: a checkout without the command still serves an empty site.
seed: migrate
	@if [[ "$(SEED)" == 0 ]]; then \
		echo "== demo data skipped (SEED=0)"; \
	elif DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py help seed_demo >/dev/null 2>&1; then \
		echo "== loading demo data (manage.py seed_demo)"; \
		DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py seed_demo; \
		DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py seed_demo_reporting; \
	else \
		echo "== no seed_demo command in this checkout: no demo data"; \
	fi

# Daphne serves HTTP and the notification websocket; with DEBUG on (the demo settings), WhiteNoise
# serves static files straight from the apps, so no collectstatic is needed.
run: messages seed
	@echo "== serving http://$(HOST):$(PORT)/  (Ctrl-C stops; demo users in README.md)"
	@DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) exec $(VENV)/bin/daphne -b $(HOST) -p $(PORT) \
		config.asgi:application

# --- checks -----------------------------------------------------------------------------------

lint: $(VENV)/.installed-test
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

test: $(VENV)/.installed-test $(NODE_STAMP)
	@scripts/test.sh $(PYTEST_ARGS)

# Benchmarks, not tests (BENCHMARKS.md): SQLite, and PostgreSQL when DATABASE_URL names a server
# (the benchmark creates and drops its own database there). BENCH_ARGS: e.g. --quick, --runs 3.
# Then the audit pages on a long history (bench_audit: a 5,000-entry timeline and a
# 100,000-row audit list, under a minute on PostgreSQL); skipped with --quick.
bench: $(VENV)/.installed-runtime
	@$(PY) manage.py bench $(BENCH_ARGS)
	@case " $(BENCH_ARGS) " in *" --quick "*) ;; *) $(PY) manage.py bench_audit ;; esac

# --- services for the PostgreSQL run (see README.md) ------------------------------------------

services-start:
	@scripts/services.sh start
	@echo "now: eval \"\$$(scripts/services.sh env)\" && make test"

services-stop:
	@scripts/services.sh stop

clean:
	rm -rf $(VENV) var/test-reports .pytest_cache .ruff_cache
