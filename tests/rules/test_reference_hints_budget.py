"""'Did you mean' stays linear: many distinct unknown ids are all reported, hints only within a budget."""

from __future__ import annotations

from pathlib import Path

import journeyctl.rules.checks.references as references
from journeyctl.check import pipeline as check
from journeyctl.config import Config
from journeyctl.format.loader import load_text
from journeyctl.format.model import Journey


def _journey(n: int) -> tuple[Journey, object]:
    """n touchpoints, each leading to a typo of its own id (tp00007 -> tp00007zz): n distinct unknowns."""
    tps = "\n".join(f"      - id: tp{i:05d}\n        next: [{{to: tp{i:05d}zz}}]" for i in range(n))
    text = ("journeyctl: 1\nid: j\ntitle: J\nstages:\n  - id: s\n    touchpoints:\n"
            f"      - id: e\n        entry: true\n        next: [{{to: tp00000}}]\n{tps}\n")
    doc = load_text(text, Path("j.journey.yaml"))
    return Journey.model_validate(doc.data), doc


def test_many_unknown_targets_are_all_reported_and_the_fuzzy_work_is_bounded(monkeypatch):
    compared = []
    real = references.closest
    monkeypatch.setattr(references, "closest", lambda word, options: compared.append(len(options)) or real(word, options))
    journey, doc = _journey(2_000)
    config = Config(cache=False)
    findings = check.run_rules(journey, doc, "j.journey.yaml", check.effective_severities(config),
                               check._context(config))
    unknown = [f for f in findings if f.rule == "unknown-reference"]
    assert len(unknown) == 2_000  # every one reported, at its own line
    assert [f.line for f in unknown] == [11 + 2 * i for i in range(2_000)]
    assert sum(compared) <= references._Hints.BUDGET < 2_000 * 2_001
    # the first ones still get their hint, in document order
    assert unknown[0].message.endswith("(did you mean 'tp00000'?)")
    hinted = ["did you mean" in f.message for f in unknown]
    assert hinted == sorted(hinted, reverse=True) and 0 < sum(hinted) < 2_000


def test_a_few_typos_all_get_their_hint():
    journey, doc = _journey(30)
    config = Config(cache=False)
    findings = check.run_rules(journey, doc, "j.journey.yaml", check.effective_severities(config),
                               check._context(config))
    messages = [f.message for f in findings if f.rule == "unknown-reference"]
    assert len(messages) == 30 and all(m.endswith(f"(did you mean 'tp{i:05d}'?)") for i, m in enumerate(messages))
