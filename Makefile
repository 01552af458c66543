# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

ASSETS := service/static/vendor/hds/hds-core.min.css node_modules/axe-core/axe.min.js

.PHONY: run test system-deps check-templates clean bench bench-convert

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## The forms' styles (hds-core) and the tests' axe-core, pinned in package-lock.json (npm ci).
$(ASSETS) &: package.json package-lock.json tools/assets.sh
	@sh tools/assets.sh

## Start the service on http://127.0.0.1:8000 with its embedded defaults.
## On a fresh machine `lnp init` first writes the instance secrets (instance/secrets.json, 0600)
## and prints a first admin's one-time password.
run: $(BIN)/.installed $(ASSETS)
	$(BIN)/lnp init
	$(BIN)/lnp serve

## Install what is missing, then run the whole test suite.
test: $(BIN)/.installed $(ASSETS) system-deps
	$(BIN)/pytest

## LibreOffice and poppler (every rendered document is opened in real LibreOffice) and
## Chromium (the forms are tested in a real browser).
system-deps:
	@sh tools/system-deps.sh

check-templates: $(BIN)/.installed
	$(BIN)/lnp check-templates

clean:
	rm -rf $(VENV) .pytest_cache node_modules service/static/vendor

## Benchmark: plain docxtpl vs the engine, memory over 100,000 renders, HTTP under wrk.
bench: $(BIN)/.installed
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "bench: install wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/bench.py

## Benchmark: LibreOffice converter: cold start, warm PDF per type, throughput with 2 workers, HTTP.
bench-convert: $(BIN)/.installed system-deps
	$(BIN)/python bench/convert.py
