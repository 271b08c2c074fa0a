"""Start-up cost: what the commands that run in every CI job import, and what they must not.

`journeyctl --version` answers before typer is imported; `validate` of a valid file takes the fast path
(pydantic) and never needs jsonschema, which is imported only to explain a file that fails. When one of
these fails, the assertion message names the journeyctl frames that imported the module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).parents[1] / "fixtures" / "hostile"

WATCH = ("jsonschema", "graphviz", "typer", "pydantic", "yaml", "duckdb", "sqlglot", "pyarrow")

# Runs the CLI in a fresh interpreter and reports, for each watched module, the journeyctl frames that
# imported it first (function-level imports included, which -X importtime cannot attribute).
PROBE = """
import builtins, sys, traceback
WATCH = set(sys.argv[1].split(","))
sys.argv = ["journeyctl", *sys.argv[2:]]
who = {}
real_import = builtins.__import__

def spy(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.split(".")[0] if level == 0 else ""
    if top in WATCH and top not in sys.modules and top not in who:
        frames = [f for f in traceback.extract_stack()[:-1] if "journeyctl" in f.filename]
        who[top] = " <- ".join(f"{f.filename.split('journeyctl/', 1)[-1]}:{f.lineno} {f.name}"
                               for f in reversed(frames)) or "outside journeyctl"
    return real_import(name, globals, locals, fromlist, level)

builtins.__import__ = spy
from journeyctl.__main__ import main
try:
    main()
except SystemExit:
    pass
for module in sorted(who):
    if module in sys.modules:
        sys.stderr.write(f"IMPORTED {module}: {who[module]}\\n")
"""


def imported(*args: str) -> dict[str, str]:
    """Watched module → where journeyctl imported it from."""
    env = {**os.environ, "NO_COLOR": "1", "JOURNEYCTL_TODAY": "2026-11-01"}
    proc = subprocess.run([sys.executable, "-c", PROBE, ",".join(WATCH), *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60)
    out = {}
    for line in proc.stderr.splitlines():
        if line.startswith("IMPORTED "):
            module, where = line[len("IMPORTED "):].split(": ", 1)
            out[module] = where
    return out


@pytest.mark.parametrize("args, forbidden", [
    (("--version",), {"jsonschema", "graphviz", "typer", "pydantic", "yaml", "duckdb", "sqlglot"}),
    (("validate", "--no-cache", str(HOSTILE / "clean.journey.yaml")), {"jsonschema", "graphviz", "duckdb", "sqlglot", "pyarrow"}),
], ids=["version", "validate-valid-file"])
def test_start_up_imports_nothing_it_does_not_need(args, forbidden):
    modules = imported(*args)
    leaked = {m: where for m, where in modules.items() if m in forbidden}
    assert leaked == {}, "imported by: " + "; ".join(f"{m} <- {where}" for m, where in leaked.items())


def test_validate_of_an_invalid_file_does_use_jsonschema_for_its_messages():
    modules = imported("validate", "--no-cache", str(HOSTILE / "yaml11-traps.journey.yaml"))
    # This file also holds values YAML 1.1 reads differently: yaml12 words that finding against the schema.
    assert modules["jsonschema"].startswith(("format/schema_errors.py:", "format/yaml12.py:"))
    assert {"typer", "pydantic", "yaml"} <= set(modules)
