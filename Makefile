# Roadmap Bot: `make run` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3978
PLAYGROUND ?= 1
PLAYGROUND_PORT ?= 56150
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install lint typecheck unit e2e migrate demo serve package bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

## migrate: upgrade the database (DATABASE_URL, default ./data/roadmap.db) to the latest schema
migrate: install
	$(VENV)/bin/roadmap migrate

## demo: migrate, and load the demo portfolio into an empty database
demo: install
	$(VENV)/bin/roadmap demo

## serve: the bot alone, without demo data (migrates first; same as `python app.py`)
serve: install
	$(VENV)/bin/roadmap serve

## run: install, migrate, load the demo, start the bot and the Agents Playground
run: install demo $(if $(filter 0,$(PLAYGROUND)),,node_modules/.installed)
	@set -euo pipefail; \
	PORT=$(PORT) $(PY) app.py & bot=$$!; \
	trap 'kill $$bot 2>/dev/null; wait $$bot 2>/dev/null' EXIT INT TERM; \
	for _ in $$(seq 1 100); do curl -fsS http://127.0.0.1:$(PORT)/readyz >/dev/null 2>&1 && break; sleep 0.1; done; \
	echo "Roadmap Bot is listening on http://127.0.0.1:$(PORT)/api/messages"; \
	if [ "$(PLAYGROUND)" = "0" ]; then wait $$bot; exit; fi; \
	echo "Agents Playground: http://localhost:$(PLAYGROUND_PORT)  (Ctrl+C stops both)"; \
	TEAMSAPPTESTER_BROWSER=none APPLICATION_INSIGHTS_NO_STATSBEAT=1 \
	APPLICATIONINSIGHTS_CONFIGURATION_CONTENT='{"disableAppInsights":true,"disableStatsbeat":true}' \
	node_modules/.bin/agentsplayground start --app-endpoint http://127.0.0.1:$(PORT)/api/messages \
		--port $(PLAYGROUND_PORT) --disable-telemetry </dev/null

## test: lint, type-check and every test (PostgreSQL and Playground tests included)
test: install node_modules/.installed lint typecheck
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

unit: install
	$(PY) -m pytest -q -m "not e2e"

e2e: install node_modules/.installed
	$(PY) -m pytest -q -m e2e

## package: the Teams app package with the real bot id (MicrosoftAppId)
package: install
	$(PY) -m manifest.build

## bench: the throughput benchmark against a stock echo bot
bench: install
	$(PY) -m bench.benchmark

clean:
	rm -rf $(VENV) node_modules build artifacts .mypy_cache .ruff_cache .pytest_cache
