# pyplow: every target does its own set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint format bench clean

$(STAMP): pyproject.toml trackers/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e trackers/python
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pyplow quickstart

test: $(STAMP)
	$(BIN)/python -m pytest -q

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
