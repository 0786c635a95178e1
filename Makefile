# PRIMAS: `make run` serves the service on http://127.0.0.1:$(PORT); `make test` runs everything.
# Both work on a bare machine: they install uv, the Python dependencies and (as root) Chromium
# and PostgreSQL 15 when they are missing.

SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export DEBIAN_FRONTEND := noninteractive

PORT ?= 8000
PG_BIN ?= /usr/lib/postgresql/15/bin
VENV := .venv/bin
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(CURDIR)/.uv/bin/uv
endif

.PHONY: help setup run migrate test test-sqlite test-postgres lint format browser postgres frontend clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(CURDIR)/.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv

setup: $(UV) ## Install the Python dependencies from uv.lock into .venv
	$(UV) sync --frozen

migrate: setup ## Apply database migrations
	$(VENV)/primas migrate

run: migrate ## Set up, migrate, load demo users and serve on http://127.0.0.1:$(PORT)
	@if [ "$${PRIMAS_ENV:-development}" != production ]; then $(VENV)/primas load-demo; fi
	$(VENV)/primas serve --host 127.0.0.1 --port $(PORT)

browser: ## Install Chromium for the browser tests (as root, when missing)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
	  else echo "make: Chromium is missing and you are not root: browser tests will be skipped"; fi; \
	fi

postgres: ## Install PostgreSQL 15 for the PostgreSQL pass (as root, when missing)
	@if [ ! -x $(PG_BIN)/initdb ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y postgresql-15 || { apt-get update && apt-get install -y postgresql-15; }; \
	  else echo "make: PostgreSQL 15 is missing and you are not root: its pass will be skipped"; fi; \
	fi

# Tests run in one process per core (pytest-xdist); TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto

test: setup browser postgres ## Run the whole suite on SQLite, then the PostgreSQL set on PostgreSQL
	rm -rf var/test-reports
	PRIMAS_TEST_REPORT=var/test-reports/sqlite.json $(VENV)/pytest -n $(TEST_WORKERS)
	$(VENV)/python -m tests.postgres_pass --expect var/test-reports/sqlite.json -n $(TEST_WORKERS)

test-sqlite: setup ## Run the whole suite on SQLite only
	$(VENV)/pytest -n $(TEST_WORKERS)

test-postgres: setup postgres ## Run the PostgreSQL set on a throwaway PostgreSQL only
	PRIMAS_TEST_REPORT=var/test-reports/sqlite.json $(VENV)/pytest -m "db and postgres" -q -n $(TEST_WORKERS)
	$(VENV)/python -m tests.postgres_pass --expect var/test-reports/sqlite.json -q -n $(TEST_WORKERS)

lint: setup ## Check style, types and the layers' import contracts (ruff, mypy, import-linter)
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/lint-imports --no-cache

format: setup ## Format the code
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

frontend: ## Rebuild app/static from frontend/ (needs Node.js; output is committed)
	scripts/build-frontend

clean: ## Remove the virtual environment, local database and caches
	rm -rf .venv .uv var .pytest_cache .mypy_cache .ruff_cache
