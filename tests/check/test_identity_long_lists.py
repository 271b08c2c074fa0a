"""Anchoring a finding on every element of a long list is linear, and names the same elements as before.

Found by the long fuzz profile (tests/test_fuzz_commands.py): a journey with a 2,000-item list and a finding
per item took 9 s in `docs` (and seconds in `validate -f json`), each anchor counting namesakes from the start.
"""

from __future__ import annotations

import time

from journeyctl.check.identity import anchor


def _naive(items: list, step: int) -> str:
    name = items[step]["id"]
    same = sum(1 for other in items[:step] if other["id"] == name)
    return f"stages[{name}{f' #{same + 1}' if same else ''}]"


def test_long_lists_are_anchored_like_short_ones():
    items = [{"id": f"s{i % 7}"} for i in range(500)]
    root = {"stages": items}
    for step in (0, 6, 7, 8, 250, 499):
        assert anchor(root, ("stages", step)) == _naive(items, step)
    assert anchor(root, ("stages", 14)) == "stages[s0 #3]"


def test_a_finding_on_each_of_20000_elements_is_anchored_in_linear_time():
    items = [{"id": "same"} for _ in range(20_000)]
    root = {"stages": items}
    start = time.process_time()
    anchors = [anchor(root, ("stages", step, "id")) for step in range(len(items))]
    elapsed = time.process_time() - start
    assert anchors[0] == "stages[same].id" and anchors[-1] == "stages[same #20000].id"
    assert elapsed < 2.0, f"{elapsed:.2f} s of CPU: quadratic (the old count took minutes here)"


def test_a_list_changed_in_length_is_ranked_again():
    items = [{"id": "a"} for _ in range(100)]
    root = {"stages": items}
    assert anchor(root, ("stages", 99)) == "stages[a #100]"
    items.append({"id": "a"})
    assert anchor(root, ("stages", 100)) == "stages[a #101]"
