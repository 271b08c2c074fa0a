"""The journey as a workbook (xlsx) or a touchpoint table (csv), and back: docs/import-export.md.

The workbook is one sheet per kind of thing (Journey, Stages, Touchpoints, Personas, Teams, Channels,
Metrics, Handoffs, Links) with one row per item, so people who never open YAML can edit a journey; a
hidden Lists sheet feeds the drop-downs. Export → import gives back the same journey model (see cells.py
for the few escapes that make that exact); only YAML comments are lost.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from . import cells as c

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..format.model import Catalog, Journey, Touchpoint, Transition

DocPath = tuple[str | int, ...]

KINDS = ("peripheral", "external", "internal")
LANES = ("frontstage", "backstage", "support")
OUTCOMES = ("converted", "retained", "advocate", "churned", "dropped")
STATUSES = ("draft", "active", "retired")
STATES = ("current", "future")
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the model key it holds, how it is written and read, its width."""

    header: str
    key: str
    kind: str = "text"  # text | list | number | int | bool | milestone | ref | special
    width: int = 16
    choices: str = ""  # an enum (comma list) or a Lists column name, for the drop-down


NAMED = [Column("id", "id", "ref", 18), Column("name", "name", "text", 28),
         Column("description", "description", "text", 40)]

SHEETS: dict[str, list[Column]] = {
    "Stages": NAMED + [
        Column("goal", "goal", "text", 36), Column("emotion", "emotion", "int", 9),
        Column("customer does", "does", "special", 30), Column("customer thinks", "thinks", "special", 30),
        Column("customer feels", "feels", "special", 30),
        Column("kpis", "kpis", "list", 18, "metrics"),
    ],
    "Touchpoints": [
        Column("stage", "stage", "special", 16, "stages"), Column("id", "id", "ref", 20),
        Column("name", "name", "text", 28), Column("description", "description", "text", 36),
        Column("kind", "kind", "text", 11, ",".join(KINDS)), Column("lane", "lane", "text", 11, ",".join(LANES)),
        Column("channel", "channel", "ref", 14, "channels"), Column("owner", "owner", "ref", 16, "teams"),
        Column("personas", "personas", "list", 18, "personas"), Column("emotion", "emotion", "int", 9),
        Column("pain points", "pain_points", "list", 36), Column("opportunities", "opportunities", "list", 36),
        Column("entry", "entry", "bool", 7), Column("share", "share", "number", 8),
        Column("outcome", "outcome", "text", 11, ",".join(OUTCOMES)),
        Column("milestone", "milestone", "milestone", 14), Column("moment of truth", "moment_of_truth", "bool", 9),
        Column("at", "at", "text", 10), Column("kpis", "kpis", "list", 16, "metrics"),
        Column("events", "events", "list", 18), Column("evidence", "evidence", "special", 30),
        Column("next", "next", "special", 34, "touchpoints"),
    ],
    "Personas": NAMED + [
        Column("role", "role", "text", 30), Column("goals", "goals", "list", 36),
        Column("needs", "needs", "list", 36), Column("pain points", "pain_points", "list", 36),
    ],
    "Teams": list(NAMED),
    "Channels": list(NAMED),
    "Metrics": NAMED + [
        Column("unit", "unit", "text", 8), Column("target", "target", "number", 9),
        Column("direction", "direction", "text", 10, ",".join(DIRECTIONS)),
    ],
    "Handoffs": [
        Column("from", "from", "special", 20, "touchpoints"), Column("to", "to", "special", 20, "touchpoints"),
        Column("trigger", "trigger", "text", 30), Column("sla", "sla", "text", 8), Column("via", "via", "text", 20),
    ],
    "Links": [Column("title", "title", "text", 36), Column("url", "url", "text", 50)],
}

# The Journey sheet: one row per field, `field | value`.
JOURNEY_FIELDS: list[Column] = [
    Column("format", "journeyctl", "int"), Column("id", "id", "ref"), Column("title", "title"),
    Column("description", "description"), Column("owner", "owner", "ref", choices="teams"),
    Column("status", "status", choices=",".join(STATUSES)), Column("state", "state", choices=",".join(STATES)),
    Column("reviewed", "reviewed", "date"), Column("review every", "review_every"),
    Column("objectives", "objectives", "list"), Column("tags", "tags", "list"),
]

ORDER = ["Journey", "Stages", "Touchpoints", "Personas", "Teams", "Channels", "Metrics", "Handoffs", "Links"]
LISTS = ["stages", "touchpoints", "teams", "channels", "personas", "metrics"]
HANDOFF_MARK = "(hand-off)"
WHEN = "when:"
_RATE = re.compile(r"^-?[0-9]+(\.[0-9]+)?%$")
_WAIT = re.compile(r"^[0-9]+(\.[0-9]+)?(min|h|d|w)$")
FIXED_TIME = "2000-01-01T00:00:00Z"
# An xlsx is a zip: refuse one that would unpack to more than this (a zip bomb), before openpyxl reads it.
MAX_UNZIPPED = 256 * 1024 * 1024
EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in one cell; it "repairs" a workbook with more


# --- writing ---------------------------------------------------------------------------------------------


def transition_line(tr: Transition) -> str:
    """`kickoff-call 30% 2d (hand-off) when: contract signed`: what a person reads in the next column."""
    parts = [tr.to]
    if tr.rate is not None:
        parts.append(c.percent(tr.rate))
    if tr.wait is not None:
        parts.append(tr.wait)
    if tr.handoff is not None:
        parts.append(HANDOFF_MARK)
    if tr.when is not None:
        parts.append(f"{WHEN} {c.atom(tr.when)}")
    return " ".join(parts)


def evidence_line(source: str, ref: str | None, url: str | None) -> str:
    """`source | ref | url`, trailing empty parts left out; `|` in a part is `\\|`."""
    parts = [c.atom(source, "|"), c.atom(ref, "|") if ref is not None else "", c.atom(url, "|") if url else ""]
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return " | ".join(parts)


def _value(obj: Any, col: Column) -> Any:
    value = getattr(obj, col.key, None)
    if col.kind == "list":
        return c.put_list(value)
    if col.kind in ("number", "int"):
        return c.put_number(value)
    if col.kind == "bool":
        return True if value else None
    if col.kind == "milestone":
        return value if value is True else (None if value is False else c.put_text(value))
    return c.put_text(value)


def stage_label(stage_id: str, index: int, counts: dict[str, int]) -> str:
    """The stage column's text: the id, or `id#N` (N its row in Stages, from 1) when two stages share it."""
    return stage_id if counts[stage_id] == 1 else f"{stage_id}#{index + 1}"


def _touchpoint_row(stage_id: str, tp: Touchpoint, col: Column) -> Any:
    if col.key == "stage":
        return c.put_text(stage_id)
    if col.key == "evidence":
        return c.xml_escape("\n".join(evidence_line(e.source, e.ref, e.url) for e in tp.evidence)) or None
    if col.key == "next":
        return c.xml_escape("\n".join(transition_line(t) for t in tp.next)) or None
    if col.key == "lane":
        return tp.lane
    return _value(tp, col)


def rows(journey: Journey) -> dict[str, list[list[Any]]]:
    """Every sheet's data rows (cell values, escaped), in the order of the journey."""
    out: dict[str, list[list[Any]]] = {}
    out["Journey"] = [[f.header, _value(journey, f)] for f in JOURNEY_FIELDS]
    out["Stages"] = []
    for stage in journey.stages:
        row = []
        for col in SHEETS["Stages"]:
            if col.kind == "special":
                row.append(c.put_text(getattr(stage.customer, col.key)) if stage.customer else None)
            else:
                row.append(_value(stage, col))
        out["Stages"].append(row)
    counts: dict[str, int] = {}
    for stage in journey.stages:
        counts[stage.id] = counts.get(stage.id, 0) + 1
    out["Touchpoints"] = [[_touchpoint_row(stage_label(stage.id, s, counts), tp, col) for col in SHEETS["Touchpoints"]]
                          for s, stage in enumerate(journey.stages) for tp in stage.touchpoints]
    for sheet, key in (("Personas", "personas"), ("Teams", "teams"), ("Channels", "channels"),
                       ("Metrics", "metrics"), ("Links", "links")):
        out[sheet] = [[_value(item, col) for col in SHEETS[sheet]] for item in getattr(journey, key)]
    out["Handoffs"] = [[c.put_text(tp.id), c.put_text(tr.to), c.put_text(tr.handoff.trigger),
                        c.put_text(tr.handoff.sla), c.put_text(tr.handoff.via)]
                       for _, tp in journey.touchpoints() for tr in tp.next if tr.handoff is not None]
    return out


def _choices(journey: Journey, catalogs: Sequence[Catalog]) -> dict[str, list[str]]:
    """The ids each drop-down offers: the journey's own, then the workspace catalogs'."""
    lists: dict[str, list[str]] = {"stages": [s.id for s in journey.stages],
                                   "touchpoints": [tp.id for _, tp in journey.touchpoints()]}
    for kind in ("teams", "channels", "personas", "metrics"):
        ids = [item.id for item in getattr(journey, kind)]
        for catalog in catalogs:
            ids += [item.id for item in getattr(catalog, kind)]
        lists[kind] = ids
    return {k: list(dict.fromkeys(v)) for k, v in lists.items()}


def export_xlsx(journey: Journey, catalog: Sequence[Catalog] = ()) -> bytes:
    """The workbook, byte-identical for the same journey (fixed timestamps, fixed zip entry times)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    data = rows(journey)
    choices = _choices(journey, catalog)
    lists = wb.create_sheet("Lists")
    for col, name in enumerate(LISTS, start=1):
        lists.cell(1, col, name)
        for r, value in enumerate(choices[name], start=2):
            _set(lists.cell(r, col), c.put_text(value))
    lists.sheet_state = "hidden"
    for name in ORDER:
        ws = wb.create_sheet(name, ORDER.index(name))
        columns = [Column("field", "", width=16), Column("value", "", width=70)] if name == "Journey" else SHEETS[name]
        _fill(ws, columns, data[name])
        if name == "Journey":
            _validate_journey_sheet(ws, choices)
        else:
            _validate_columns(ws, columns, choices)
    wb.active = 0
    return _deterministic(wb)


def _set(cell: Any, value: Any) -> None:
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        raise ValueError(f"{cell.parent.title}!{cell.coordinate} would hold {len(value):,} characters; Excel keeps "
                         f"at most {EXCEL_CELL_LIMIT:,} in a cell (split the list, or export as csv)")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text that starts with '=' stays text, never a formula


def _fill(ws: Worksheet, columns: list[Column], data: list[list[Any]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="305496")
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(1, i, col.header)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for r, row in enumerate(data, start=2):
        for i, value in enumerate(row, start=1):
            cell = ws.cell(r, i)
            _set(cell, value)
            if isinstance(value, str) and ("\n" in value or len(value) > columns[i - 1].width):
                cell.alignment = wrap  # long or multi-line text reads in its column, not across the next ones
    ws.freeze_panes = "C2" if ws.title == "Touchpoints" else "A2"


def _drop_down(ws: Worksheet, source: str, ref: str, choices: dict[str, list[str]], strict: bool) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if source in LISTS:
        items = choices[source]
        if not items:
            return
        col = LISTS.index(source) + 1
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(col)
        formula = f"Lists!${letter}$2:${letter}${len(items) + 1}"
    else:
        formula = f'"{source}"'
    # Enums refuse other values; id lists only warn (an id may come from a catalog added later).
    dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                        errorStyle="stop" if strict else "warning", showErrorMessage=True)
    dv.add(ref)
    ws.add_data_validation(dv)


def _validate_columns(ws: Worksheet, columns: list[Column], choices: dict[str, list[str]]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(ws.max_row, 1) + 500
    for i, col in enumerate(columns, start=1):
        ref = f"{get_column_letter(i)}2:{get_column_letter(i)}{last}"
        if col.choices:
            # A multi-line cell (personas, kpis, next) cannot pass a list check: those only suggest.
            multi = col.kind in ("list", "special") and col.key != "stage"
            _drop_down(ws, col.choices, ref, choices, strict=col.choices not in LISTS and not multi)
            if multi:
                ws.data_validations.dataValidation[-1].showErrorMessage = False
        elif col.kind == "int" and col.key == "emotion":
            dv = DataValidation(type="whole", operator="between", formula1="-2", formula2="2", allow_blank=True,
                                showErrorMessage=True, errorTitle="emotion", error="A whole number from -2 to 2.")
            dv.add(ref)
            ws.add_data_validation(dv)
        elif col.kind in ("bool", "milestone"):
            _drop_down(ws, "TRUE,FALSE", ref, choices, strict=col.kind == "bool")


def _validate_journey_sheet(ws: Worksheet, choices: dict[str, list[str]]) -> None:
    for r, f in enumerate(JOURNEY_FIELDS, start=2):
        if f.choices:
            _drop_down(ws, f.choices, f"B{r}", choices, strict=f.choices not in LISTS)


def _deterministic(wb: Any) -> bytes:
    """Save, then fix what openpyxl stamps with the clock: document dates and zip entry times."""
    import zipfile

    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.encode(), payload)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, payload)
    return out.getvalue()


def export_csv(journey: Journey, catalog: Sequence[Catalog] = ()) -> bytes:
    """The Touchpoints sheet as CSV (UTF-8, a header row): the one table a CSV can hold."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([col.header for col in SHEETS["Touchpoints"]])
    for row in rows(journey)["Touchpoints"]:
        writer.writerow(["" if v is None else c.format_scalar(v) for v in row])
    return buffer.getvalue().encode("utf-8")


# --- reading ---------------------------------------------------------------------------------------------


class SheetError(Exception):
    """The file is not a workbook journeyctl can read (exit 2); the message says why and where."""


@dataclass
class Imported:
    """Journey data built from a sheet, and the cell each value came from (for findings)."""

    data: dict[str, Any]
    cells: dict[DocPath, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (cell, message): unreadable cells

    def cell_of(self, path: DocPath) -> str:
        """The cell of `path`, or of its nearest ancestor that came from a cell."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.cells:
                return self.cells[path[:n]]
        return ""


def open_workbook(raw: bytes, display: str) -> Any:
    """openpyxl's workbook, or a SheetError for what is not a plain xlsx (encrypted, xls, not a zip)."""
    import zipfile

    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in raw:
            raise SheetError(f"{display}: the workbook is password-protected (encrypted); "
                             "save a copy without a password and import that")
        raise SheetError(f"{display}: this is an old binary Excel file (.xls), not xlsx; save it as .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SheetError(f"{display}: not an xlsx workbook (an xlsx file is a zip archive; this is not one)")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(f"{display}: not a readable xlsx workbook (a damaged zip archive: {exc})") from None
    if unpacked > MAX_UNZIPPED:
        raise SheetError(f"{display}: the workbook would unpack to {unpacked:,} bytes, more than the "
                         f"{MAX_UNZIPPED:,} journeyctl reads (a zip bomb?)")
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops on reading (extensions, slicers): not the user's concern.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(raw), data_only=False, rich_text=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; one message
        raise SheetError(f"{display}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from None


def check_plain(wb: Any, display: str) -> None:
    """Refuse what a sheet cannot mean as data: formulas (values would be stale) and merged cells."""
    for ws in wb.worksheets:
        if ws.merged_cells.ranges:
            first = sorted(str(r) for r in ws.merged_cells.ranges)[0]
            raise SheetError(f"{display}: {ws.title}!{first}: merged cells are not supported; "
                             "unmerge them (one value per cell) and import again")
        c.refuse_formulas(ws, display, SheetError)


def _header_map(ws: Worksheet, columns: list[Column], display: str) -> dict[str, int]:
    """Column index (1-based) of each known header; an unknown header is an error naming its cell."""
    known = {col.header: col for col in columns}
    found: dict[str, int] = {}
    for cell in next(ws.iter_rows(min_row=1, max_row=1), ()):
        if cell.value is None:
            continue
        header = str(cell.value).strip().lower()
        if header not in known:
            from ..suggest import closest

            hint = closest(header, list(known))
            raise SheetError(f"{display}: {ws.title}!{cell.coordinate}: unknown column '{header}'"
                             + (f" (did you mean '{hint}'?)" if hint else "")
                             + f"; the columns are: {', '.join(known)}")
        found[known[header].key] = cell.column
    return found


def _data_rows(ws: Worksheet, width: int) -> Iterable[tuple[int, list[Any]]]:
    for row in ws.iter_rows(min_row=2, max_col=max(width, 1)):
        values = [cell.value for cell in row]
        if any(v is not None for v in values):
            yield row[0].row, values


class _Reader:
    def __init__(self, wb: Any, display: str) -> None:
        self.wb = wb
        self.display = display
        self.out = Imported({})
        self.titles = {title.lower(): title for title in reversed(wb.sheetnames)}

    def cell(self, sheet: str, col: int, row: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.titles.get(sheet.lower(), sheet)}!{get_column_letter(col)}{row}"

    def field(self, target: dict[str, Any], path: DocPath, col: Column, raw: Any, where: str) -> None:
        """Put one cell's value into `target` under col.key (nothing for an empty cell)."""
        if raw is None:
            return
        if col.kind == "list":
            value: Any = c.get_list(raw)
        elif col.kind == "number":
            value = c.get_number(raw)
        elif col.kind == "int":
            value = c.get_int(raw)
        elif col.kind == "bool":
            value = raw if isinstance(raw, bool) else c.get_text(raw)
            if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
                value = value.strip().upper() == "TRUE"  # typed as text (a CSV, a text-formatted column)
        elif col.kind == "milestone":
            value = raw if isinstance(raw, bool) else c.get_text(raw)
            if value is False:
                return
        elif col.kind == "date":
            value = c.format_scalar(raw) if not isinstance(raw, str) else c.get_text(raw)
        else:
            # A number or date typed into a text column is the text a person sees there.
            value = c.get_text(raw) if isinstance(raw, str) else c.format_scalar(raw)
        if col.kind == "bool" and value is False:
            return
        target[col.key] = value
        self.out.cells[path + (col.key,)] = where

    def sheet(self, name: str) -> Worksheet | None:
        """A sheet by name, whatever its case (a person may retype 'touchpoints')."""
        title = self.titles.get(name.lower())
        return self.wb[title] if title is not None else None

    def items(self, name: str, key: str, make: Callable[[dict[str, Any], int], None] | None = None) -> list[dict[str, Any]]:
        """The rows of a one-item-per-row sheet as mappings, remembering each value's cell."""
        ws = self.sheet(name)
        if ws is None:
            return []
        columns = SHEETS[name]
        index = _header_map(ws, columns, self.display)
        out = []
        for row_number, values in _data_rows(ws, max(index.values(), default=1)):
            item: dict[str, Any] = {}
            path: DocPath = (key, len(out))
            self.out.cells[path] = self.cell(name, 1, row_number)
            for col in columns:
                if col.key in index and col.kind != "special":
                    where = self.cell(name, index[col.key], row_number)
                    self.field(item, path, col, values[index[col.key] - 1], where)
            if make is not None:
                make(item, row_number)
            out.append(item)
        return out


def read_xlsx(raw: bytes, display: str) -> Imported:
    """The journey data of a workbook in the documented layout (a SheetError if it is not one)."""
    wb = open_workbook(raw, display)
    check_plain(wb, display)
    if not {"touchpoints", "journey"} <= {title.lower() for title in wb.sheetnames}:
        raise SheetError(f"{display}: no 'Journey' and 'Touchpoints' sheets, so not the journeyctl layout "
                         "(docs/import-export.md); a CX template grid (stages as columns) imports with --layout grid")
    reader = _Reader(wb, display)
    data = reader.out.data
    _read_journey_sheet(reader, data)
    for sheet, key in (("Personas", "personas"), ("Teams", "teams"), ("Channels", "channels"),
                       ("Metrics", "metrics"), ("Links", "links")):
        items = reader.items(sheet, key)
        if items:
            data[key] = items
    data["stages"] = _read_stages(reader)
    _read_touchpoints(reader, data["stages"])
    _read_handoffs(reader, data["stages"])
    return reader.out


def _read_journey_sheet(reader: _Reader, data: dict[str, Any]) -> None:
    ws = reader.sheet("Journey")
    known = {f.header: f for f in JOURNEY_FIELDS}
    data["journeyctl"] = 1
    for row in ws.iter_rows(min_row=2, max_col=2):
        label, value = row[0].value, row[1].value if len(row) > 1 else None
        if label is None and value is None:
            continue
        name = str(label).strip().lower() if label is not None else ""
        if name not in known:
            from ..suggest import closest

            hint = closest(name, list(known))
            raise SheetError(f"{reader.display}: {ws.title}!{row[0].coordinate}: unknown field '{name}'"
                             + (f" (did you mean '{hint}'?)" if hint else "")
                             + f"; the fields are: {', '.join(known)}")
        f = known[name]
        if value is None and f.key == "journeyctl":
            continue
        reader.field(data, (), f, value, f"{ws.title}!{row[1].coordinate}")
    reader.out.cells[()] = f"{ws.title}!A1"


def _read_stages(reader: _Reader) -> list[dict[str, Any]]:
    ws = reader.sheet("Stages")
    if ws is None:
        return []
    index = _header_map(ws, SHEETS["Stages"], reader.display)
    stages = reader.items("Stages", "stages")
    # The customer view (does / thinks / feels) sits in three columns of the stage's row.
    rows = list(_data_rows(ws, max(index.values(), default=1)))
    for s, (row_number, values) in enumerate(rows):
        customer: dict[str, Any] = {}
        for col in SHEETS["Stages"]:
            if col.kind == "special" and col.key in index:
                raw = values[index[col.key] - 1]
                if raw is not None:
                    customer[col.key] = c.get_text(raw) if isinstance(raw, str) else raw
                    reader.out.cells[("stages", s, "customer", col.key)] = reader.cell("Stages", index[col.key], row_number)
        if customer:
            stages[s]["customer"] = customer
    return stages


def _stage_for(stages: list[dict[str, Any]], stage_id: Any, current: int) -> int | None:
    """The stage a row belongs to: the first with that id at or after the previous row's (ids may repeat)."""
    numbered = re.fullmatch(r"(.+)#([0-9]+)", stage_id) if isinstance(stage_id, str) else None
    if numbered and 0 < int(numbered.group(2)) <= len(stages) \
            and stages[int(numbered.group(2)) - 1].get("id") == numbered.group(1):
        return int(numbered.group(2)) - 1
    order = list(range(current, len(stages))) + list(range(0, current))
    for s in order:
        if stages[s].get("id") == stage_id:
            return s
    return None


def _read_touchpoints(reader: _Reader, stages: list[dict[str, Any]]) -> None:
    ws = reader.sheet("Touchpoints")
    columns = SHEETS["Touchpoints"]
    index = _header_map(ws, columns, reader.display)
    for needed in ("stage", "id"):
        if needed not in index:
            raise SheetError(f"{reader.display}: {ws.title}!A1: the sheet has no '{needed}' column")
    current = 0
    for row_number, values in _data_rows(ws, max(index.values())):
        raw_stage = values[index["stage"] - 1]
        stage_id = c.get_text(raw_stage) if isinstance(raw_stage, str) else raw_stage
        where = reader.cell("Touchpoints", index["stage"], row_number)
        s = _stage_for(stages, stage_id, current)
        if s is None:
            known = ", ".join(str(st.get("id")) for st in stages) or "none"
            reader.out.problems.append((where, f"stage '{stage_id}' is not a stage of the Stages sheet "
                                              f"(the stages are: {known})"))
            continue
        current = s
        tps = stages[s].setdefault("touchpoints", [])
        path: DocPath = ("stages", s, "touchpoints", len(tps))
        reader.out.cells[path] = reader.cell("Touchpoints", index["id"], row_number)
        tp: dict[str, Any] = {}
        for col in columns:
            if col.key not in index or col.key == "stage":
                continue
            raw = values[index[col.key] - 1]
            cell = reader.cell("Touchpoints", index[col.key], row_number)
            if col.key == "evidence":
                if raw is not None:
                    tp["evidence"] = _read_evidence(raw)
                    reader.out.cells[path + ("evidence",)] = cell
            elif col.key == "next":
                if raw is not None:
                    tp["next"] = _read_transitions(raw, cell, reader.out.problems)
                    reader.out.cells[path + ("next",)] = cell
            else:
                reader.field(tp, path, col, raw, cell)
        if tp.get("lane") == "frontstage":
            del tp["lane"]
        tps.append(tp)


def _read_evidence(raw: Any) -> list[dict[str, Any]]:
    text = c.xml_unescape(raw if isinstance(raw, str) else c.format_scalar(raw)).replace("\r\n", "\n")
    out = []
    for line in text.split("\n"):
        parts = [p[1:] if p.startswith(" ") and i else p for i, p in enumerate(c.split_unescaped(line, "|"))]
        parts = [p[:-1] if p.endswith(" ") and i < len(parts) - 1 else p for i, p in enumerate(parts)]
        item: dict[str, Any] = {"source": c.unatom(parts[0])}
        if len(parts) > 1 and parts[1] != "":
            item["ref"] = c.unatom(parts[1])
        if len(parts) > 2 and parts[2] != "":
            item["url"] = c.unatom(parts[2])
        out.append(item)
    return out


def parse_transition(line: str) -> tuple[dict[str, Any] | None, str]:
    """A `next` line as a transition mapping, or None and why it cannot be read."""
    head, sep, when = line.partition(f" {WHEN} ")
    if not sep and line.endswith(f" {WHEN}"):
        head, sep, when = line[: -len(WHEN) - 1], " ", ""
    tokens = head.split()
    if not tokens:
        return None, "an empty line: write one transition per line, e.g. 'kickoff-call 30% 2d'"
    item: dict[str, Any] = {"to": tokens[0]}
    for token in tokens[1:]:
        if _RATE.match(token) and "rate" not in item:
            item["rate"] = c.from_percent(token)
        elif _WAIT.match(token) and "wait" not in item:
            item["wait"] = token
        elif token == HANDOFF_MARK and "handoff" not in item:
            item["handoff"] = {}
        else:
            return None, (f"cannot read '{token}' in '{line}': a transition is 'TARGET [RATE%] [WAIT] "
                          f"[{HANDOFF_MARK}] [{WHEN} CONDITION]', e.g. 'kickoff-call 30% 2d'")
    if sep:
        item["when"] = c.unatom(when)
    return item, ""


def _read_transitions(raw: Any, cell: str, problems: list[tuple[str, str]]) -> list[dict[str, Any]]:
    text = c.xml_unescape(raw if isinstance(raw, str) else c.format_scalar(raw)).replace("\r\n", "\n")
    out = []
    for line in text.split("\n"):
        item, why = parse_transition(line)
        if item is None:
            problems.append((cell, why))
        else:
            out.append(item)
    return out


def _read_handoffs(reader: _Reader, stages: list[dict[str, Any]]) -> None:
    """Hand-off rows fill the transitions marked (hand-off), in order; from/to must name that transition."""
    marked = [(tp, tr, ("stages", s, "touchpoints", t, "next", n))
              for s, stage in enumerate(stages) for t, tp in enumerate(stage.get("touchpoints", []))
              for n, tr in enumerate(tp.get("next", [])) if "handoff" in tr]
    items = reader.items("Handoffs", "_handoffs")
    ws = reader.sheet("Handoffs")
    index = _header_map(ws, SHEETS["Handoffs"], reader.display) if ws is not None else {}
    rows = list(_data_rows(ws, max(index.values(), default=1))) if ws is not None else []
    for k, (row_number, values) in enumerate(rows):
        where = reader.cell("Handoffs", 1, row_number)
        got = tuple(c.get_text(values[index[key] - 1]) if key in index else None for key in ("from", "to"))
        if k >= len(marked):
            reader.out.problems.append((where, f"a hand-off from '{got[0]}' to '{got[1]}' but no transition in "
                                               f"the Touchpoints sheet is marked {HANDOFF_MARK} for it"))
            continue
        tp, tr, path = marked[k]
        if got != (tp.get("id"), tr.get("to")):
            reader.out.problems.append((where, f"this row says from '{got[0]}' to '{got[1]}', but the next "
                                               f"transition marked {HANDOFF_MARK} is from '{tp.get('id')}' to "
                                               f"'{tr.get('to')}' (hand-off rows follow the marked transitions in order)"))
            continue
        item = items[k]
        tr["handoff"] = {key: item[key] for key in ("trigger", "sla", "via") if key in item}
        for key in ("trigger", "sla", "via"):
            old = ("_handoffs", k, key)
            if old in reader.out.cells:
                reader.out.cells[path + ("handoff", key)] = reader.out.cells[old]
        reader.out.cells[path + ("handoff",)] = where
    for tp, tr, path in marked[len(rows):]:
        reader.out.problems.append((reader.out.cells.get(path[:-1], "Touchpoints"),
                                    f"the transition from '{tp.get('id')}' to '{tr.get('to')}' is marked "
                                    f"{HANDOFF_MARK} but the Handoffs sheet has no row for it"))


def read_csv(raw: bytes, display: str) -> Imported:
    """A Touchpoints table as CSV: stages are made from the stage column, in order of appearance."""
    import csv

    from openpyxl import Workbook

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(f"{display}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    wb = Workbook()
    ws = wb.active
    ws.title = "Touchpoints"
    numeric = {col.header for col in SHEETS["Touchpoints"] if col.kind in ("number", "int")}
    booleans = {col.header for col in SHEETS["Touchpoints"] if col.kind in ("bool",)}
    table = list(csv.reader(io.StringIO(text, newline="")))
    headers = [h.strip().lower() for h in table[0]] if table else []
    for r, row in enumerate(table, start=1):
        for i, value in enumerate(row, start=1):
            if value == "":
                continue
            header = headers[i - 1] if i - 1 < len(headers) else ""
            if r > 1 and header in booleans and value.upper() in ("TRUE", "FALSE"):
                ws.cell(r, i).value = value.upper() == "TRUE"
            elif r > 1 and header in numeric:
                ws.cell(r, i).value = c.get_number(value)
            else:
                _set(ws.cell(r, i), value)
    reader = _Reader(wb, display)
    index = _header_map(ws, SHEETS["Touchpoints"], display) if table else {}
    stages: list[dict[str, Any]] = []
    for row_number, values in _data_rows(ws, max(index.values(), default=1)):
        raw_stage = values[index["stage"] - 1] if "stage" in index else None
        if raw_stage is not None and (not stages or stages[-1]["id"] != c.get_text(raw_stage)):
            stages.append({"id": c.get_text(raw_stage)})
            reader.out.cells[("stages", len(stages) - 1)] = reader.cell("Touchpoints", index["stage"], row_number)
    stem = display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    reader.out.data.update({"journeyctl": 1, "id": re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "journey",
                            "title": stem, "stages": stages})
    _read_touchpoints(reader, stages)
    for stage in stages:
        for tp in stage.get("touchpoints", []):
            for tr in tp.get("next", []):
                tr.pop("handoff", None)
    return reader.out
