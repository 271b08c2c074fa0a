"""Which importer reads a file: by its suffix (and --layout for workbooks)."""

from __future__ import annotations

from pathlib import Path

from .errors import SourceError
from .importing import Draft


def read_source(path: Path, display: str, layout: str, max_bytes: int) -> list[Draft]:
    """The journeys in `path`: one for a workbook or CSV, one per Mermaid journey block."""
    from ..format.loader import LoadError, read_source as read_bytes

    try:
        raw = read_bytes(path, max_bytes)
    except LoadError as exc:
        raise SourceError(f"{display}: {exc.message}") from None
    except IsADirectoryError:
        raise SourceError(f"{display}: is a directory, not a file to import") from None
    except OSError as exc:
        raise SourceError(f"{display}: cannot read file: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        raise SourceError(f"{display}: import reads .xlsx and .csv sheets and Markdown or .mmd Mermaid diagrams; "
                          f"a {suffix} file is already in journeyctl's own format (journeyctl validate checks it)")
    if suffix in (".md", ".markdown", ".mmd", ".mermaid"):
        from .mermaid_in import read_mermaid

        return read_mermaid(raw, display, whole=suffix in (".mmd", ".mermaid"))
    from . import sheet

    try:
        if suffix == ".csv":
            imported = sheet.read_csv(raw, display)
        elif layout == "grid":
            from .grid import read_grid

            return [read_grid(raw, display)]
        else:
            imported = sheet.read_xlsx(raw, display)
    except sheet.SheetError as exc:
        raise SourceError(str(exc)) from None
    return [Draft(imported.data, lambda p, i=imported: i.cell_of(p) or "Journey!A1", imported.problems)]
