"""From imported data to a journey file: YAML in the model's key order, checked before anything is written.

Every importer (workbook, CX grid, Mermaid) produces plain journey data plus where each value came from
(a cell, a line). The data goes through the same schema check as `validate`, and each schema finding is
reported at its source (`Touchpoints!D7: ...`, `README.md:12: ...`) with validate's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..check.findings import Finding

DocPath = tuple[str | int, ...]


@dataclass
class Draft:
    """One journey an importer made: its data, and a function naming the source of a document path."""

    data: dict[str, Any]
    where: Callable[[DocPath], str]
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source place, message)
    notes: list[str] = field(default_factory=list)  # what the source did not say, shown after writing


def _child_models() -> dict[tuple[str, str], Any]:
    from ..format import model as m

    return {
        ("Journey", "personas"): m.Persona, ("Journey", "teams"): m.Team, ("Journey", "channels"): m.Channel,
        ("Journey", "metrics"): m.Metric, ("Journey", "links"): m.Link, ("Journey", "stages"): m.Stage,
        ("Stage", "customer"): m.CustomerView, ("Stage", "touchpoints"): m.Touchpoint,
        ("Touchpoint", "evidence"): m.Evidence, ("Touchpoint", "next"): m.Transition,
        ("Transition", "handoff"): m.Handoff,
    }


def ordered(data: Any, cls: Any = None) -> Any:
    """`data` with every mapping's keys in the model's field order (the order people read a journey in)."""
    if cls is None:
        from ..format.model import Journey

        cls = Journey
    if isinstance(data, list):
        return [ordered(item, cls) for item in data]
    if not isinstance(data, dict) or cls is None:
        return data
    fields = list(cls.model_fields)
    children = _child_models()
    keys = sorted(data, key=lambda k: fields.index(k) if k in fields else len(fields))
    return {k: ordered(data[k], children.get((cls.__name__, k))) for k in keys}


def to_yaml(data: dict[str, Any], source: str) -> str:
    """The journey file import writes: model key order, and plain scalars YAML 1.1 and 1.2 read alike."""
    from ..format.yaml12 import dump

    text = dump(ordered(data), width=100)
    return f"# Imported from {source.replace(chr(10), ' ')} by journeyctl import.\n{text}"


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> DocPath:
    """`stages[0].touchpoints[2].to` → ('stages', 0, 'touchpoints', 2, 'to'), the inverse of format_path."""
    return tuple(int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _STEP.finditer(text))


def schema_check(draft: Draft, text: str, display: str) -> list[Finding]:
    """validate's schema findings for the YAML `text`, moved to where each value came from."""
    from ..check.pipeline import validate_document
    from ..format.loader import LoadError, load_text

    try:
        doc = load_text(text, Path(display))
    except LoadError as exc:  # pragma: no cover - safe_dump output always loads
        return [Finding(exc.rule, "error", display, 0, 0, exc.message)]
    journey, findings = validate_document(doc, display)
    out = [Finding("import", "error", display, 0, 0, f"{where}: {why}") for where, why in draft.problems]
    for f in findings:
        out.append(Finding(f.rule, f.severity, display, 0, 0, f"{draft.where(parse_path(f.path))}: {f.message}",
                           f.path))
    if journey is None and not out:  # pragma: no cover - validate always says why
        out.append(Finding("schema", "error", display, 0, 0, "the imported data is not a valid journey"))
    return out


def source_text(f: Finding) -> str:
    """`book.xlsx: Touchpoints!D7: message`, or `README.md:12: message` (the place is in the message)."""
    from ..report.text import clean

    if f.message.startswith(f"{f.file}:"):  # a line of a text source: `README.md:12: message`
        return clean(f.message)
    return f"{clean(f.file)}: {clean(f.message)}"


def target_for(output: Path | None, journey_id: str, many: bool) -> Path:
    """Where a journey goes: into the -o directory as <id>.journey.yaml, or to the -o file itself."""
    if output is not None and output.suffix in (".yaml", ".yml") and not output.is_dir() and not many:
        return output
    directory = output if output is not None else Path(".")
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", journey_id).strip(".") or "journey"
    return directory / f"{safe}.journey.yaml"
