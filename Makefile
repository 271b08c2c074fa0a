# Everything a fresh machine needs comes from here: `make demo` and `make test` set up what is missing,
# from the hash-pinned locks in requirements/ (refresh them with `make lock`; see CONTRIBUTING.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
RUN_STAMP := $(VENV)/.run-stamp
TEST_STAMP := $(VENV)/.test-stamp
LATEST ?= .venv-latest

.PHONY: setup system-deps test-deps demo test test-latest lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The runtime only: what `make demo` and a user's `pip install journeyctl` need.
$(RUN_STAMP): requirements/run.txt requirements/build.txt pyproject.toml | $(BIN)/python
	$(PIP) -r requirements/build.txt
	$(PIP) -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Test-only packages (pytest, hypothesis, pm4py, PySpark, check-jsonschema, pytest-lsp...).
$(TEST_STAMP): requirements/test.txt $(RUN_STAMP)
	$(PIP) -r requirements/test.txt
	@touch $@

system-deps:
	@scripts/install-system-deps

# System programs the suite drives, then the Node clients from tests/node/package-lock.json (npm ci).
test-deps:
	@scripts/install-system-deps --test
	@if command -v npm >/dev/null 2>&1; then cd tests/node && npm ci --no-audit --no-fund --loglevel=error \
	  && sha256sum package-lock.json | cut -d' ' -f1 | tr -d '\n' > node_modules/.journeyctl-lock-sha256; fi

setup: $(RUN_STAMP) system-deps

demo: setup
	$(BIN)/journeyctl validate examples/
	$(BIN)/journeyctl render examples/ -o site/renders/ --view map
	$(BIN)/journeyctl funnel examples/b2b-lead-to-customer.journey.yaml
	$(BIN)/journeyctl docs examples/ -o site/ --force

# Where the set-up could install Node, a skipped real-client check would hide a broken output: fail instead.
test: $(TEST_STAMP) test-deps
	JOURNEYCTL_REQUIRE_NODE=$$(command -v npm >/dev/null 2>&1 && echo 1) $(BIN)/python -m pytest -q -n auto

# The suite against the newest releases of everything (no lock), in a venv of its own: meet upstream on purpose.
test-latest: test-deps
	rm -rf $(LATEST) && $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -e '.[test]'
	$(LATEST)/bin/python -m pip freeze --exclude-editable | sed 's/^/  /'
	JOURNEYCTL_REQUIRE_NODE=$$(command -v npm >/dev/null 2>&1 && echo 1) $(LATEST)/bin/python -m pytest -q -p no:cacheprovider

# Re-resolve the locks to the newest releases that fit pyproject.toml (uv, itself pinned by hash).
lock: | $(BIN)/python
	$(PIP) -r requirements/lock-tools.txt
	$(BIN)/uv pip compile -q --upgrade --python-version 3.11 --generate-hashes --no-header pyproject.toml -o requirements/run.txt
	$(BIN)/uv pip compile -q --upgrade --python-version 3.11 --generate-hashes --no-header --extra test -c requirements/run.txt pyproject.toml -o requirements/test.txt
	$(BIN)/uv pip compile -q --upgrade --python-version 3.11 --generate-hashes --no-header --extra bench -c requirements/test.txt pyproject.toml -o requirements/bench.txt

bench: $(TEST_STAMP) system-deps
	$(PIP) -r requirements/bench.txt
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache .hypothesis .journeyctl_cache site
