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
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Third-party browser files come from the npm registry (pinned in
# package-lock.json) and are copied into the git-ignored static/vendor/.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
	   node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $@

vendor: $(VENDOR)/.installed

run: setup
	$(BIN)/chatd serve --config chatd.toml

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/chatd bench

clean:
	rm -rf $(VENV) node_modules $(VENDOR) build *.egg-info
