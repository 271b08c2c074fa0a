"""Shared test settings: hypothesis profiles and a private result cache per test.

Hypothesis profiles: "ci" (the default) runs few examples, derandomized, so the suite is fast and
the same on every run; "long" explores for real on a workstation:

    .venv/bin/pytest tests/test_fuzz.py --hypothesis-profile=long

tests/test_fuzz_commands.py sizes itself by the profile: a few dozen mutants per command in "ci", 10,000 per
command in "long" (docs/robustness.md, "Fuzzing every command").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

# No shrinking in "ci": a failure is reported as found (reproducible, derandomized) instead of spending
# minutes minimising it; run the long profile locally to get the minimal example.
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, print_blob=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=2_000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# "Today" is fixed for the whole suite (subprocesses inherit it): the bundled examples were reviewed in
# autumn 2026 with review_every: 90d, and a suite that starts failing on a calendar date is no test.
os.environ.setdefault("JOURNEYCTL_TODAY", "2026-11-23")


@pytest.fixture(autouse=True)
def _private_result_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own validate cache (subprocesses inherit it through the environment).

    Runs inside one test still hit the cache, so it is exercised everywhere; but a test that patches
    code in-process can never be answered from another test's entry, and the repository is not
    littered with .journeyctl_cache/. Tests of the cache itself override the variable.
    """
    directory = tmp_path_factory.mktemp("journeyctl-cache", numbered=True)
    monkeypatch.setenv("JOURNEYCTL_CACHE_DIR", str(directory))
    return directory


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzz tests' figure: how many mutants each command was fed (tests/helpers/mutants.py), also
    written as JSON to $JOURNEYCTL_FUZZ_REPORT; the long profile's "10,000 per command" is counted here."""
    import sys

    module = sys.modules.get("helpers.mutants")
    if module is None or not module.MUTANTS:
        return
    counts = dict(sorted(module.MUTANTS.items()))
    terminalreporter.write_sep("-", "fuzz: mutants per command")
    for command, count in counts.items():
        terminalreporter.write_line(f"{command:10} {count:>8,}")
    report = os.environ.get("JOURNEYCTL_FUZZ_REPORT")
    if report:
        import json

        Path(report).write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
