# pyplow: every target does its own set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-js test-lua test-arduino check lint format bench clean

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
	$(MAKE) --no-print-directory test-lua
	$(MAKE) --no-print-directory test-arduino

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

# The Lua tracker (trackers/lua): its busted specs on each interpreter of LUA_VERSIONS, one of
# them sending to a real pyplow quickstart. Needs Debian's lua5.1 lua5.4 luajit lua-busted
# lua-socket; without them the suite is skipped with a message, except in CI (CI=true).
LUA_VERSIONS ?= lua5.1 lua5.4 luajit
test-lua: $(STAMP)
	@missing=""; \
	command -v busted >/dev/null || missing="$$missing busted"; \
	for lua in $(LUA_VERSIONS); do \
	  if ! command -v $$lua >/dev/null; then missing="$$missing $$lua"; \
	  elif ! $$lua -e 'require "busted.runner"; require "socket.http"' >/dev/null 2>&1; then \
	    missing="$$missing busted-and-luasocket-for-$$lua"; fi; \
	done; \
	if [ -n "$$missing" ]; then \
	  msg="Lua tracker tests need$$missing (apt-get install lua5.1 lua5.4 luajit lua-busted lua-socket)"; \
	  if [ "$${CI:-}" = true ]; then echo "FAIL: $$msg" >&2; exit 1; fi; \
	  echo "SKIPPED: $$msg"; exit 0; \
	fi; \
	cd trackers/lua && for lua in $(LUA_VERSIONS); do \
	  echo "Lua tracker on $$lua:"; \
	  PYPLOW=$(abspath $(BIN))/pyplow PYPLOW_LUA=$$lua $$lua "$$(command -v busted)" || exit 1; \
	done

# The Arduino tracker (trackers/arduino): the library built for the host with g++ against the
# Arduino fakes in test/fake (as C++11, like the boards' toolchains), the example sketch
# compiled, then the host tests, one of them sending to a real pyplow quickstart over loopback.
# Where avr-g++ is installed (Debian gcc-avr avr-libc) the library is also built for an Uno.
ARDUINO  := trackers/arduino
HOST_CXX ?= g++
test-arduino: $(STAMP)
	@if ! command -v $(HOST_CXX) >/dev/null; then \
	  msg="Arduino tracker tests need a C++ compiler (apt-get install g++)"; \
	  if [ "$${CI:-}" = true ]; then echo "FAIL: $$msg" >&2; exit 1; fi; \
	  echo "SKIPPED: $$msg"; exit 0; \
	fi; \
	set -e; out=$(ARDUINO)/build; rm -rf $$out; mkdir -p $$out; \
	for src in $(ARDUINO)/src/*.cpp; do \
	  $(HOST_CXX) -std=gnu++11 -Os -fno-exceptions -fno-rtti -Wall -Wextra -Werror -pedantic \
	    -I$(ARDUINO)/test/fake -c $$src -o $$out/$$(basename $$src .cpp).o; \
	done; \
	$(HOST_CXX) -std=gnu++11 -fsyntax-only -Wall -Wextra -Werror -I$(ARDUINO)/test/fake \
	  -I$(ARDUINO)/src -x c++ -include Arduino.h $(ARDUINO)/examples/SensorReadings/SensorReadings.ino; \
	$(HOST_CXX) -std=c++17 -O0 -Wall -Wextra -Werror -I$(ARDUINO)/test/fake -I$(ARDUINO)/src \
	  $(ARDUINO)/test/*.cpp $(ARDUINO)/test/fake/*.cpp $$out/Pyplow*.o -Wl,--wrap=malloc \
	  -o $$out/host-tests; \
	if command -v avr-g++ >/dev/null; then \
	  for src in $(ARDUINO)/src/*.cpp; do \
	    avr-g++ -std=gnu++11 -Os -mmcu=atmega328p -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
	      -I$(ARDUINO)/test/fake -c $$src -o $$out/avr-$$(basename $$src .cpp).o; \
	  done; echo "Arduino tracker: also compiles for AVR (avr-g++, atmega328p)"; \
	fi; \
	echo "Arduino tracker host tests:"; \
	cd $(ARDUINO) && PYPLOW=$(abspath $(BIN))/pyplow ./build/host-tests

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
