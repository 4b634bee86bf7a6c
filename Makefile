# pyplow: every target does its own set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-js check lint format bench clean

$(STAMP): pyproject.toml trackers/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e trackers/python
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pyplow quickstart

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory test-js

# The browser tracker (trackers/js): unit tests need Node.js and npm, the end-to-end tests also
# Chromium (Debian's `chromium`; set CHROMIUM=/path to use another). Without them the suite is
# skipped with a message, except in CI (CI=true), where that is a failure.
test-js: $(STAMP)
	@if ! command -v npm >/dev/null || [ ! -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then \
	  msg="browser tracker tests need npm and chromium (apt-get install nodejs npm chromium)"; \
	  if [ "$${CI:-}" = true ]; then echo "FAIL: $$msg" >&2; exit 1; fi; \
	  echo "SKIPPED: $$msg"; exit 0; \
	fi; \
	cd trackers/js && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck \
	  && npm test && PYPLOW=$(abspath $(BIN))/pyplow npm run e2e \
	  && if [ "$${CI:-}" = true ]; then git diff --exit-code -- ../../src/pyplow/collector/static/sp.js \
	       || { echo "FAIL: the committed sp.js is not the build of trackers/js/src" >&2; exit 1; }; fi

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts trackers/python
	$(BIN)/ruff format --check src tests benchmarks scripts trackers/python
	$(BIN)/mypy
	cd trackers/python && ../../$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts trackers/python
	$(BIN)/ruff format src tests benchmarks scripts trackers/python

bench: $(STAMP)
	$(BIN)/python benchmarks/codecs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
