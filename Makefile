# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test system-deps check-templates clean bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Start the service on http://127.0.0.1:8000. On a fresh machine `lnp init` first writes the
## instance secrets (instance/secrets.json, 0600) and prints a first admin's one-time password.
run: $(BIN)/.installed
	$(BIN)/lnp init
	$(BIN)/lnp serve

## Install what is missing, then run the whole test suite.
test: $(BIN)/.installed system-deps
	$(BIN)/pytest

## LibreOffice and poppler: the tests open every rendered document in real LibreOffice.
system-deps:
	@sh tools/system-deps.sh

check-templates: $(BIN)/.installed
	$(BIN)/lnp check-templates

clean:
	rm -rf $(VENV) .pytest_cache

## Benchmark: plain docxtpl vs the engine, memory over 100,000 renders, HTTP under wrk.
bench: $(BIN)/.installed
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "bench: install wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/bench.py
