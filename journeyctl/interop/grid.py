"""A CX team's own journey-map template (`import --layout grid`): stages as columns, aspects as rows.

The usual template has a row of stages (Awareness, Consideration, Purchase...) and under it rows such as
Touchpoints, Channels, Customer does / thinks / feels, Pain points, Opportunities, Owner. This reads what
the sheet says and nothing more: no transitions, entries or outcomes are made up, so validate's findings
on the imported journey (no-entry, dead-end, touchpoint-without-owner...) say what the sheet left out.
"""

from __future__ import annotations

import re
from typing import Any

from . import cells as c
from .importing import Draft, DocPath

# Row labels (lower case, punctuation dropped) → what the row holds.
ROWS: dict[str, str] = {}
for _kind, _labels in {
    "stage": ["stage", "stages", "phase", "phases", "journey stage", "journey stages", "journey phase", "step", "steps"],
    "touchpoints": ["touchpoints", "touchpoint", "touch points", "touch point", "interactions", "key interactions"],
    "channels": ["channels", "channel", "where", "medium"],
    "does": ["customer does", "does", "doing", "actions", "customer actions", "activities", "what they do"],
    "thinks": ["customer thinks", "thinks", "thinking", "thoughts", "questions", "customer thoughts", "what they think"],
    "feels": ["customer feels", "feels", "feeling", "feelings", "emotions", "customer feelings", "what they feel"],
    "emotion": ["emotion score", "emotion (-2..+2)", "emotion -2 to 2", "mood score", "sentiment score"],
    "pain_points": ["pain points", "pain point", "pains", "painpoints", "frustrations"],
    "opportunities": ["opportunities", "opportunity", "ideas", "improvements", "opportunities for improvement"],
    "owner": ["owner", "owners", "ownership", "team", "teams", "responsible", "department", "owned by"],
    "goal": ["goal", "goals", "customer goal", "customer goals", "stage goal", "objective"],
    "kpis": ["kpis", "kpi", "metrics", "metric", "measures", "success metrics"],
}.items():
    for _label in _labels:
        ROWS[_label] = _kind

_BULLET = re.compile(r"^\s*(?:[-*•·▪‣◦]|\d+[.)])\s+")


def normalise(label: Any) -> str:
    text = str(label).strip().lower().replace("’", "'")
    text = re.sub(r"[:*]+$", "", text).strip()
    return re.sub(r"\s+", " ", text)


def slug(text: str) -> str:
    """An id from a name: 'Sign-up form (web)' → 'sign-up-form-web'."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return out[:60].strip("-") or "item"


def lines(value: Any) -> list[str]:
    """The items of a cell: one per line (or per ';'), list bullets dropped, blanks skipped."""
    if value is None:
        return []
    text = c.format_scalar(value) if not isinstance(value, str) else value
    parts = [p for line in text.replace("\r\n", "\n").split("\n") for p in line.split(";")]
    return [_BULLET.sub("", p).strip() for p in parts if _BULLET.sub("", p).strip()]


class _Ids:
    """Unique ids per kind: a second 'Email' touchpoint becomes email-2."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}

    def make(self, kind: str, name: str) -> str:
        used = self.seen.setdefault(kind, set())
        base = slug(name)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        return candidate


def read_grid(raw: bytes, display: str) -> Draft:
    """The journey a template grid states; notes for rows it could not place."""
    from .errors import SourceError
    from .sheet import SheetError, open_workbook

    try:
        wb = open_workbook(raw, display)
    except SheetError as exc:
        raise SourceError(str(exc)) from None
    ws = wb.worksheets[0]
    where: dict[DocPath, str] = {(): f"{ws.title}!A1"}
    notes: list[str] = []
    label_col, rows = _find_rows(ws)
    if not rows:
        raise SourceError(f"{display}: {ws.title}: no row labelled like a journey-map template (Touchpoints, "
                          "Channels, Customer does, Pain points, Owner...) in the first sheet")
    stage_row = _stage_row(ws, label_col, rows)
    if stage_row is None:
        raise SourceError(f"{display}: {ws.title}: no row of stage names above the template's rows "
                          "(label it 'Stage' in the first column)")
    _refuse_formulas_and_merges(ws, display, stage_row - 1)
    stage_cols = [cell.column for cell in ws[stage_row] if cell.column > label_col and cell.value is not None
                  and str(cell.value).strip()]
    ids = _Ids()
    stages: list[dict[str, Any]] = []
    teams: dict[str, dict[str, Any]] = {}
    channels: dict[str, dict[str, Any]] = {}
    metrics: dict[str, dict[str, Any]] = {}

    def cell_name(row: int, col: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{ws.title}!{get_column_letter(col)}{row}"

    def declare(pool: dict[str, dict[str, Any]], kind: str, name: str) -> str:
        key = name.strip().lower()
        if key not in pool:
            pool[key] = {"id": ids.make(kind, name), "name": name}
        return pool[key]["id"]

    def cell(kind: str, col: int) -> tuple[Any, str]:
        if kind not in rows:
            return None, ""
        row = rows[kind][0]
        return ws.cell(row, col).value, cell_name(row, col)

    for s, col in enumerate(stage_cols):
        name = str(ws.cell(stage_row, col).value).strip()
        stage: dict[str, Any] = {"id": ids.make("stage", name), "name": name}
        path: DocPath = ("stages", s)
        where[path] = cell_name(stage_row, col)
        value, at = cell("goal", col)
        if value is not None:
            stage["goal"] = " ".join(lines(value))
            where[path + ("goal",)] = at
        customer = {}
        for key in ("does", "thinks", "feels"):
            value, at = cell(key, col)
            if value is not None and lines(value):
                customer[key] = "\n".join(lines(value))
                where[path + ("customer", key)] = at
        if customer:
            stage["customer"] = customer
        value, at = cell("emotion", col)
        if value is not None:
            stage["emotion"] = c.get_int(value)
            where[path + ("emotion",)] = at
        value, at = cell("kpis", col)
        if lines(value):
            stage["kpis"] = [declare(metrics, "metric", m) for m in lines(value)]
            where[path + ("kpis",)] = at
        stage["touchpoints"] = _touchpoints(stage, s, col, cell, ids, declare, teams, channels, where, notes)
        stages.append(stage)
    title = _title(ws, stage_row) or display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    data: dict[str, Any] = {"journeyctl": 1, "id": slug(title), "title": title}
    persona = _persona(ws, stage_row)
    if persona is not None:
        name, at = persona
        data["personas"] = [{"id": slug(name.split(",")[0]), "name": name}]
        where[("personas", 0)] = at
        notes.append(f"{at}: persona '{data['personas'][0]['id']}' declared; the grid does not say which "
                     "touchpoints serve it, so none is marked")
    for key, pool in (("teams", teams), ("channels", channels), ("metrics", metrics)):
        if pool:
            data[key] = list(pool.values())
    data["stages"] = stages
    notes.extend(_unplaced(ws, label_col, stage_row, rows, cell_name))
    notes.append("the grid says nothing of transitions, entries or outcomes: none were made up; "
                 "the findings below list what to add")
    notes[:] = [f"{display}: {n}" for n in notes]
    return Draft(data, lambda p: _nearest(where, p), notes=notes)


def _nearest(where: dict[DocPath, str], path: DocPath) -> str:
    for n in range(len(path), -1, -1):
        if path[:n] in where:
            return where[path[:n]]
    return where[()]


def _touchpoints(stage: dict[str, Any], s: int, col: int, cell: Any, ids: _Ids, declare: Any,
                 teams: dict, channels: dict, where: dict[DocPath, str], notes: list[str]) -> list[dict[str, Any]]:
    """The stage's touchpoints, one per line of its Touchpoints cell, with the aligned rows' values."""
    value, at = cell("touchpoints", col)
    names = lines(value)
    tps: list[dict[str, Any]] = []
    for t, name in enumerate(names):
        tps.append({"id": ids.make("touchpoint", name), "name": name})
        where[("stages", s, "touchpoints", t)] = at
    if not tps:
        return tps
    for kind, key in (("channels", "channel"), ("owner", "owner")):
        value, at = cell(kind, col)
        items = lines(value)
        if not items:
            continue
        pool, what = (channels, "channel") if key == "channel" else (teams, "team")
        if len(items) == len(tps):
            chosen = items
        elif len(items) == 1:
            chosen = items * len(tps)  # one owner (channel) for the stage: every touchpoint of it
        else:
            notes.append(f"{at}: {len(items)} {kind} for {len(tps)} touchpoints: cannot tell which goes with "
                         f"which, so none was set (one per line, in the touchpoints' order, or a single one)")
            continue
        for t, item in enumerate(chosen):
            tps[t][key] = declare(pool, what, item)
            where[("stages", s, "touchpoints", t, key)] = at
    for kind in ("pain_points", "opportunities"):
        value, at = cell(kind, col)
        items = lines(value)
        if not items:
            continue
        if len(items) == len(tps):
            for t, item in enumerate(items):
                tps[t][kind] = [item]
                where[("stages", s, "touchpoints", t, kind)] = at
        else:
            # The model keeps pain points on touchpoints; a stage-wide list goes on its first one, said aloud.
            tps[0][kind] = items
            where[("stages", s, "touchpoints", 0, kind)] = at
            if len(tps) > 1:
                notes.append(f"{at}: {len(items)} {kind.replace('_', ' ')} for {len(tps)} touchpoints: all put "
                             f"on the stage's first touchpoint '{tps[0]['id']}' (move them where they belong)")
    return tps


def _find_rows(ws: Any) -> tuple[int, dict[str, tuple[int, str]]]:
    """The label column (the one with most known row labels) and kind → (row, label) for each known row."""
    best: tuple[int, dict[str, tuple[int, str]]] = (1, {})
    for col in range(1, min(ws.max_column, 6) + 1):
        found: dict[str, tuple[int, str]] = {}
        for row in range(1, ws.max_row + 1):
            value = ws.cell(row, col).value
            if isinstance(value, str):
                kind = ROWS.get(normalise(value))
                if kind and kind != "stage" and kind not in found:
                    found[kind] = (row, value)
        if len(found) > len(best[1]):
            best = (col, found)
    return best


def _stage_row(ws: Any, label_col: int, rows: dict[str, tuple[int, str]]) -> int | None:
    """The row labelled Stage, else the nearest row above the first template row with names across."""
    first = min(r for r, _ in rows.values())
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, label_col).value
        if isinstance(value, str) and ROWS.get(normalise(value)) == "stage":
            return row
    for row in range(first - 1, 0, -1):
        if sum(1 for cell in ws[row] if cell.column > label_col and cell.value is not None) >= 1:
            return row
    return None


_PERSONA = re.compile(r"^\s*persona\s*[:\-\u2013\u2014]\s*(.+?)\s*$", re.IGNORECASE | re.DOTALL)


def _title(ws: Any, stage_row: int) -> str | None:
    """The first text above the stages that is not a 'Persona: ...' line."""
    for row in range(1, stage_row):
        for cell in ws[row]:
            if isinstance(cell.value, str) and cell.value.strip() and not _PERSONA.match(cell.value):
                return re.sub(r"\s+", " ", cell.value.strip())
    return None


def _persona(ws: Any, stage_row: int) -> tuple[str, str] | None:
    """'Persona: Busy parent, 35' above the stages (templates are drawn for one persona), and its cell."""
    for row in range(1, stage_row):
        for cell in ws[row]:
            found = _PERSONA.match(cell.value) if isinstance(cell.value, str) else None
            if found:
                return re.sub(r"\s+", " ", found.group(1)), f"{ws.title}!{cell.coordinate}"
    return None


def _unplaced(ws: Any, label_col: int, stage_row: int, rows: dict[str, tuple[int, str]], cell_name: Any) -> list[str]:
    """A note for each labelled row below the stages that is not a journey field (it was not imported)."""
    known = {r for r, _ in rows.values()} | {stage_row}
    out = []
    for row in range(stage_row + 1, ws.max_row + 1):
        value = ws.cell(row, label_col).value
        if row not in known and value is not None and str(value).strip():
            out.append(f"{cell_name(row, label_col)}: row '{str(value).strip()}' is not a journey field: "
                       "not imported (the rows read are listed in docs/import-export.md)")
    return out


def _refuse_formulas_and_merges(ws: Any, display: str, title_rows: int) -> None:
    """Formulas and merged cells inside the grid are refused; a merged title above it is fine."""
    from .errors import SourceError

    for merged in sorted(ws.merged_cells.ranges, key=str):
        if merged.max_row > title_rows:
            raise SourceError(f"{display}: {ws.title}!{merged}: merged cells inside the grid are not supported; "
                              "unmerge them (one value per cell) and import again")
    c.refuse_formulas(ws, display, SourceError)
