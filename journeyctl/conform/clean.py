"""The clean-up pass for a log DuckDB refuses to read as it is.

DuckDB aborts a whole CSV scan on one line that is not UTF-8 or is longer than its line limit, yet the
README promises that bad rows never abort the run and never vanish. This pass runs only after such a
refusal (a clean file never pays for it): it copies the log line by line and replaces each offending
line with an empty row, which the query counts as a bad row under the line's own row number. The header
line of a CSV is kept as is: a log whose header is unreadable is an input error, not a bad row.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO

# What replaces a bad line: an empty first field (CSV; null padding fills the rest) or an object with no
# keys (JSON Lines). Either has no customer, so the query counts it as a bad row.
_EMPTY_ROW = {"csv": b'""', "jsonl": b"{}"}


def cleaned_copy(file: Path, fmt: str, workdir: Path, max_line: int) -> Path | None:
    """A copy of `file` with each line that is not UTF-8 or is over `max_line` bytes made an empty row.

    None when there is nothing this pass can mend (no such line, Parquet, a .zst file): the caller then
    reports DuckDB's own message.
    """
    if fmt not in _EMPTY_ROW or file.suffix.lower() == ".zst":
        return None
    target = workdir / f"clean.{'csv' if fmt == 'csv' else 'jsonl'}"
    mended = 0
    header = 1 if fmt == "csv" else 0
    with _open(file) as source, target.open("wb") as out:
        for number, line in enumerate(source):
            body = line.rstrip(b"\r\n")
            ending = line[len(body):] or b"\n"
            if number >= header and body.strip() and _bad(body, max_line):
                body = _EMPTY_ROW[fmt]
                mended += 1
            out.write(body + ending)
    return target if mended else None


def _open(file: Path) -> BinaryIO:
    if file.suffix.lower() == ".gz":
        return gzip.open(file, "rb")  # type: ignore[return-value]
    return file.open("rb")


def _bad(line: bytes, max_line: int) -> bool:
    if len(line) > max_line:
        return True
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
