# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test system-deps check-templates clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Start the service on http://127.0.0.1:8000 with its embedded defaults.
run: $(BIN)/.installed
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
