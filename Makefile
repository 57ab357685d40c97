# chatd: `make run` serves on the embedded defaults; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := static/vendor

.PHONY: setup run test bench vendor clean

setup: $(STAMP) $(VENDOR)/.installed

# Reinstall only when the dependency lists change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Third-party browser files come from the npm registry (pinned in
# package-lock.json); tools/vendor.py runs `npm ci` and copies the files the
# page loads into the git-ignored static/vendor/ (the wheel build does too).
$(VENDOR)/.installed: package.json package-lock.json tools/vendor.py
	$(PYTHON) tools/vendor.py

vendor: $(VENDOR)/.installed

run: setup
	$(BIN)/chatd serve --config chatd.toml

# The whole suite, then the API and real-time tests again with the
# conversation side on MongoDB (SecantusDB, started by the tests), again
# with the cache on Redis and again with everything on PostgreSQL, so every
# backend passes the same tests.
# PYTEST_ARGS narrows the first run only.
test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then \
	  CHATD_TEST_MESSAGES=mongo $(BIN)/python -m pytest -q tests/api tests/realtime && \
	  CHATD_TEST_CACHE=redis $(BIN)/python -m pytest -q tests/api tests/realtime && \
	  CHATD_TEST_DATABASE=postgres $(BIN)/python -m pytest -q tests/api tests/realtime; fi

bench: setup
	$(BIN)/chatd bench

clean:
	rm -rf $(VENV) node_modules $(VENDOR) build *.egg-info
