# chatd: `make run` serves on the embedded defaults; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := static/vendor

.PHONY: setup run test bench vendor clean sbom audit lock release

setup: $(STAMP) $(VENDOR)/.installed

# Every Python distribution comes from requirements.lock, each file checked
# against its sha256 there (pip refuses any other file or any package the
# lock does not list); then chatd itself, editable, with nothing fetched.
# Reinstall only when the dependency lists change.
LOCK := requirements.lock
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# requirements.lock from pyproject.toml's pins (runtime, test and bench) and
# tools/installers.in: every distribution they pull in, pinned, with the
# sha256 of each of its files on PyPI, resolved for every platform and
# Python 3.11+ at once (uv's universal mode: a Pi's aarch64 wheels are in it).
# Run after changing a pin; tests/unit/test_lock.py fails until then.
# uv is pinned in the `lock` extra and never part of `make setup`.
LOCK_TOOL := $(VENV)/.lock-installed
$(LOCK_TOOL): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet --no-build-isolation -e '.[lock]'
	touch $@

lock: $(LOCK_TOOL)
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --extra test --extra bench --custom-compile-command 'make lock' \
	  pyproject.toml tools/installers.in -o $(LOCK)

# Third-party browser files come from the npm registry (pinned in
# package-lock.json); tools/vendor.py runs `npm ci` and copies the files the
# page loads into the git-ignored static/vendor/ (the wheel build does too).
$(VENDOR)/.installed: package.json package-lock.json tools/vendor.py
	$(PYTHON) tools/vendor.py

vendor: $(VENDOR)/.installed

run: setup
	$(BIN)/chatd serve --config chatd.toml

# The whole suite, then tests/api and tests/realtime three times more, once
# per backend (tests/backends.py): CHATD_TEST_MESSAGES=mongo (conversation
# side on MongoDB: SecantusDB, started by the tests), CHATD_TEST_CACHE=redis
# (cache on the test Redis) and CHATD_TEST_DATABASE=postgres (SQL side on
# PostgreSQL). Each pass switches the in-process app (the `config` and
# `config_with` fixtures) and every `chatd serve` tests/realtime starts
# (start_server: stores of its own per server). Not switched: tests/browser,
# tests/e2e, tests/client and the other folders' servers, which run once on
# their defaults. Tests marked one_backend (the hub on both engines, the
# PostgreSQL- and MongoDB-only real-time tests, the wheel and OpenAPI pages)
# run the same in every pass and are left out of the three. Each pass takes
# about 2.5 min on an idle two-core host, 4-5 min on a busy one (Dec 2026).
# PYTEST_ARGS narrows the first run only.
PASS := $(BIN)/python -m pytest -q -m "not one_backend" tests/api tests/realtime
test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then \
	  CHATD_TEST_MESSAGES=mongo $(PASS) && \
	  CHATD_TEST_CACHE=redis $(PASS) && \
	  CHATD_TEST_DATABASE=postgres $(PASS); fi

bench: setup
	$(BIN)/chatd bench

# The software bill of materials (CycloneDX JSON): the Python distributions
# chatd runs on, as installed, and the npm packages in static/vendor/.
sbom: setup
	$(BIN)/chatd sbom --out sbom.cdx.json
	@echo "wrote sbom.cdx.json"

# Known vulnerabilities in the pinned dependencies: pip-audit (pinned in the
# `audit` extra) on what `chatd sbom` lists, npm audit on package-lock.json.
# Both ask an online database (PyPI's or OSV's, the npm registry's), so this
# is not part of `make test`; --strict fails on a package it could not check.
AUDIT_STAMP := $(VENV)/.audit-installed
$(AUDIT_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[audit]'
	touch $@

audit: setup $(AUDIT_STAMP)
	$(BIN)/chatd sbom --format requirements > $(VENV)/audit-requirements.txt
	status=0; \
	$(BIN)/pip-audit --strict --progress-spinner off --no-deps --disable-pip -r $(VENV)/audit-requirements.txt || status=1; \
	npm audit --package-lock-only --omit=dev || status=1; \
	exit $$status

# A signed release in dist/: wheel, sdist, SBOM, SHA256SUMS and its
# Ed25519 signature SHA256SUMS.sig (ssh-keygen -Y sign with SIGNING_KEY, an
# OpenSSH ed25519 private key). Built from the locked, hashed setuptools
# only. How a user checks a download: SECURITY.md, "Verifying a release".
release: setup
	@test -n "$(SIGNING_KEY)" || { echo "make release SIGNING_KEY=path/to/ed25519-key"; exit 2; }
	rm -rf dist
	$(BIN)/python tools/release.py --out dist --key "$(SIGNING_KEY)"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) build dist *.egg-info sbom.cdx.json
