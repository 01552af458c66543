# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

ASSETS := service/pages/static/vendor/hds/hds-core.min.css node_modules/axe-core/axe.min.js

.PHONY: run test system-deps check-templates clean bench bench-convert messages

## The Swedish and English message catalogues, compiled from their .po files (tools/messages.py).
CATALOGUES := service/translations/sv/LC_MESSAGES/messages.mo service/translations/en/LC_MESSAGES/messages.mo

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## The forms' styles (hds-core) and the tests' axe-core, pinned in package-lock.json (npm ci).
$(ASSETS) &: package.json package-lock.json tools/assets.sh
	@sh tools/assets.sh

$(CATALOGUES) &: service/translations/sv/LC_MESSAGES/messages.po service/translations/en/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/python tools/messages.py compile

## After changing a text in the code: collect the message ids and update the .po files.
messages: $(BIN)/.installed
	$(BIN)/python tools/messages.py update

## Start the service on http://127.0.0.1:8000 with its embedded defaults.
## On a fresh machine `lnp init` first writes the instance secrets (instance/secrets.json, 0600)
## and prints a first admin's one-time password.
run: $(BIN)/.installed $(ASSETS) $(CATALOGUES)
	$(BIN)/lnp init
	$(BIN)/lnp serve

## Install what is missing, lint, then run the whole test suite.
test: $(BIN)/.installed $(ASSETS) $(CATALOGUES) system-deps
	$(BIN)/ruff check service schemas tests bench tools wsgi.py
	$(BIN)/mypy
	$(BIN)/pytest

## LibreOffice and poppler (every rendered document is opened in real LibreOffice) and
## Chromium (the forms are tested in a real browser).
system-deps:
	@sh tools/system-deps.sh

check-templates: $(BIN)/.installed $(CATALOGUES)
	$(BIN)/lnp check-templates

clean:
	rm -rf $(VENV) .pytest_cache node_modules service/pages/static/vendor

## Benchmark: plain docxtpl vs the engine, memory over 100,000 renders, HTTP under wrk; then one
## replica on SQLite against two on PostgreSQL and Redis, and the database's share of a request.
bench: $(BIN)/.installed $(CATALOGUES) system-deps
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "bench: install wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/replicas.py

## Benchmark: LibreOffice converter: cold start, warm PDF per type, throughput with 2 workers, HTTP.
bench-convert: $(BIN)/.installed $(CATALOGUES) system-deps
	$(BIN)/python bench/convert.py
