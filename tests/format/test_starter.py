"""The starter journey `init` writes is tidy: its trailing comments line up in one column.

Found by a first-time user: the `reviewed:` line's comment sat three columns right of all the others,
because the template's placeholder is shorter than the date that replaces it.
"""

from __future__ import annotations

from journeyctl.format.starter import starter_journey


def test_trailing_comments_share_one_column() -> None:
    text = starter_journey("my-journey")
    columns = {}
    for line in text.splitlines():
        if "  #" in line and not line.lstrip().startswith("#"):
            columns[line.split(":", 1)[0].strip()] = line.index("#")
    assert "reviewed" in columns and len(columns) == 15
    assert set(columns.values()) == {35}, columns
