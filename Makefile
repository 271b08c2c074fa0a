# Everything a fresh machine needs comes from here: `make demo` and `make test` set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup system-deps test-deps demo test bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

system-deps:
	@scripts/install-system-deps

test-deps:
	@scripts/install-system-deps --test

setup: $(STAMP) system-deps

demo: setup
	$(BIN)/journeyctl validate examples/
	$(BIN)/journeyctl funnel examples/b2b-lead-to-customer.journey.yaml
	$(BIN)/journeyctl docs examples/ -o site/ --force

# Where the set-up could install Node, a skipped Mermaid parser check would hide a broken diagram: fail instead.
test: $(STAMP) test-deps
	JOURNEYCTL_REQUIRE_MERMAID=$$(command -v npm >/dev/null 2>&1 && echo 1) $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .journeyctl_cache site
