"""Spreadsheet export and import: the documented workbook layout, round trips, cell-precise errors.

Round trip: export → import gives back the same journey model for every example and for journeys
generated from the schema (the fuzz strategy of test_fuzz). Errors name the cell and use validate's
wording; a workbook journeyctl cannot read (not xlsx, encrypted, formulas, merged cells) is exit 2.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, note
from typer.testing import CliRunner

from journeyctl.cli import app
from journeyctl.interop import sheet
from journeyctl.interop.importing import Draft, schema_check, to_yaml
from journeyctl.format.loader import load_text
from journeyctl.format.model import Journey
from test_fuzz import dump, journeys

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.journey.yaml"))
runner = CliRunner()


def _load(path: Path) -> Journey:
    return Journey.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _reimport(journey: Journey) -> tuple[Journey, str]:
    """Export to xlsx bytes, read them back, write the YAML import would write, and load that YAML."""
    imported = sheet.read_xlsx(sheet.export_xlsx(journey), "book.xlsx")
    assert imported.problems == []
    text = to_yaml(imported.data, "book.xlsx")
    findings = schema_check(Draft(imported.data, imported.cell_of), text, "book.xlsx")
    assert findings == [], [f.message for f in findings]
    return Journey.model_validate(load_text(text, Path("x.yaml")).data), text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_round_trip_to_the_same_model(path: Path) -> None:
    journey = _load(path)
    back, _ = _reimport(journey)
    assert back.model_dump() == journey.model_dump()


def _no_empty_customer(data: dict[str, Any]) -> dict[str, Any]:
    """`customer: {}` (a customer view saying nothing) has no cells to live in: documented as dropped."""
    for stage in data["stages"]:
        if stage.get("customer") == {}:
            del stage["customer"]
    return data


@given(journeys())
def test_generated_journeys_round_trip_to_the_same_model(data: dict[str, Any]) -> None:
    note(dump(data))
    journey = Journey.model_validate(yaml.load(dump(data), Loader=yaml.CSafeLoader))
    back, text = _reimport(journey)
    note(text)
    expected = Journey.model_validate(_no_empty_customer(yaml.load(dump(data), Loader=yaml.CSafeLoader)))
    assert back.model_dump() == expected.model_dump()


def test_awkward_values_survive_the_sheet() -> None:
    """Each escape of docs/import-export.md, in one journey: control characters, `""`, `_x0041_`,
    line breaks and backslashes in list items, '=' at the start of text, floats Excel would round."""
    data = {"journeyctl": 1, "id": "j", "title": "=SUM(A1:A2)", "description": "",
            "objectives": ["", '""', "a\nb\\n", "_x0041_ \x01\x1f\ufffe"],
            "tags": ["x|y"],
            "metrics": [{"id": "m", "target": 0.1 + 0.2}],
            "stages": [
                {"id": "s", "touchpoints": [
                    {"id": "a", "name": '""', "milestone": "TRUE", "share": 3.4028234663852886e38,
                     "evidence": [{"source": "a | b", "ref": "", "url": "https://x.example/a|b"}, {"source": ""}],
                     "next": [{"to": "b", "rate": 0.1 + 0.2, "wait": "2d", "when": " when: x \n"},
                              {"to": "b", "handoff": {}}, {"to": "2d", "rate": -0.0, "handoff": {"sla": "1h"}}]},
                    {"id": "b", "milestone": True}, {"id": "2d"}]},
                {"id": "s", "touchpoints": [{"id": "c"}]},
                {"id": "s", "customer": {"does": ""}},
            ]}
    journey = Journey.model_validate(data)
    back, _ = _reimport(journey)
    assert back.model_dump() == journey.model_dump()


def test_the_workbook_layout_reads_at_a_glance() -> None:
    from openpyxl import load_workbook

    journey = _load(ROOT / "examples" / "b2b-lead-to-customer.journey.yaml")
    wb = load_workbook(io.BytesIO(sheet.export_xlsx(journey)))
    assert wb.sheetnames[:9] == sheet.ORDER and wb["Lists"].sheet_state == "hidden"
    tps = wb["Touchpoints"]
    headers = [c.value for c in tps[1]]
    assert headers[:3] == ["stage", "id", "name"] and "next" in headers and "pain points" in headers
    assert tps["A1"].font.bold and tps.freeze_panes == "C2" and wb["Stages"].freeze_panes == "A2"
    assert tps.column_dimensions["K"].width == 36  # pain points
    # The touchpoint that hands the lead to sales reads like a sentence: target, rate, wait, hand-off.
    row = next(r for r in tps.iter_rows(min_row=2, values_only=True) if r[1] == journey.stages[1].touchpoints[0].id)
    first = journey.stages[1].touchpoints[0].next[0]
    assert row[headers.index("next")].split("\n")[0].startswith(f"{first.to} ")
    # Drop-downs: the enums refuse other values; the owner column offers the journey's and catalogs' teams.
    rules = {str(dv.sqref).split(":")[0]: dv for dv in tps.data_validations.dataValidation}
    assert rules["E2"].formula1 == '"peripheral,external,internal"' and rules["E2"].errorStyle == "stop"
    assert rules["H2"].formula1.startswith("Lists!$C$2") and rules["J2"].type == "whole"
    teams = [c.value for c in wb["Lists"]["C"][1:] if c.value is not None]
    assert teams == [t.id for t in journey.teams]


def test_export_is_byte_identical_and_carries_no_clock(tmp_path: Path) -> None:
    src = ROOT / "examples" / "support-renewal.journey.yaml"
    outs = []
    for name in ("a.xlsx", "b.xlsx"):
        result = runner.invoke(app, ["export", str(src), "-f", "xlsx", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    with zipfile.ZipFile(io.BytesIO(outs[0])) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count(sheet.FIXED_TIME) == 2


def test_export_picks_up_the_workspace_catalog_for_drop_downs(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "s.xlsx"
    result = runner.invoke(app, ["export", str(ROOT / "examples" / "support-renewal.journey.yaml"),
                                 "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    teams = [c.value for c in load_workbook(out)["Lists"]["C"][1:]]
    assert "customer-success" in teams  # declared only in examples/company.catalog.yaml


def test_export_refuses_what_is_not_a_journey(tmp_path: Path) -> None:
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeyctl: 1\nid: x\ntitle: X\nstages: []\n", encoding="utf-8")
    out = tmp_path / "bad.xlsx"
    result = runner.invoke(app, ["export", str(bad), "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 1 and "bad.journey.yaml:4:9: error schema" in result.output
    assert "not exported" in result.output and not out.exists()
    missing = runner.invoke(app, ["export", str(tmp_path / "nope.yaml"), "-f", "csv", "-o", str(out)])
    assert missing.exit_code == 2 and not out.exists()
    # -o into a directory that does not exist creates it (as every command does) ...
    src = str(ROOT / "examples" / "support-renewal.journey.yaml")
    into_new = runner.invoke(app, ["export", src, "-f", "xlsx", "-o", str(tmp_path / "no" / "dir.xlsx")])
    assert into_new.exit_code == 0, into_new.output
    assert zipfile.is_zipfile(tmp_path / "no" / "dir.xlsx")
    # ... and a path that cannot become a directory is one line, exit 2, nothing written.
    (tmp_path / "afile").write_text("", encoding="utf-8")
    into_nowhere = runner.invoke(app, ["export", src, "-f", "xlsx", "-o", str(tmp_path / "afile" / "dir.xlsx")])
    assert into_nowhere.exit_code == 2 and "Traceback" not in into_nowhere.output
    assert f"cannot create the directory {tmp_path / 'afile'}: {tmp_path / 'afile'} is a file" in into_nowhere.output


def test_export_refuses_a_cell_excel_would_cut(tmp_path: Path) -> None:
    path = tmp_path / "long.journey.yaml"
    data = {"journeyctl": 1, "id": "long", "title": "Long", "stages": [
        {"id": "s", "touchpoints": [{"id": "t", "pain_points": ["p" * 4000] * 9}]}]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["export", str(path), "-f", "xlsx", "-o", str(tmp_path / "long.xlsx")])
    assert result.exit_code == 2 and not (tmp_path / "long.xlsx").exists()
    assert "not exported: Touchpoints!K2 would hold 36,008 characters; Excel keeps at most 32,767" in result.output
    assert runner.invoke(app, ["export", str(path), "-f", "csv", "-o", str(tmp_path / "long.csv")]).exit_code == 0


def test_csv_is_the_touchpoints_table(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "t.csv"
    src = ROOT / "examples" / "subscription-onboarding.journey.yaml"
    assert runner.invoke(app, ["export", str(src), "-f", "csv", "-o", str(out)]).exit_code == 0
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    journey = _load(src)
    assert table[0] == [c.header for c in sheet.SHEETS["Touchpoints"]]
    assert [r[1] for r in table[1:]] == [tp.id for _, tp in journey.touchpoints()]
    # And back: the same stages and touchpoints with their transitions.
    result = runner.invoke(app, ["import", str(out), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    back = _load(tmp_path / "t.journey.yaml")
    assert [s.id for s in back.stages] == [s.id for s in journey.stages]
    assert [(tp.id, [(n.to, n.rate, n.wait) for n in tp.next], tp.emotion) for _, tp in back.touchpoints()] == \
        [(tp.id, [(n.to, n.rate, n.wait) for n in tp.next], tp.emotion) for _, tp in journey.touchpoints()]


# --- import through the command line ---------------------------------------------------------------


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    out = tmp_path / "book.xlsx"
    result = runner.invoke(app, ["export", str(ROOT / "examples" / "b2b-lead-to-customer.journey.yaml"),
                                 "-f", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_import_writes_the_journey_and_never_overwrites_without_force(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["import", str(book), "-o", str(out)])
    assert result.exit_code == 0, result.output
    target = out / "b2b-lead-to-customer.journey.yaml"
    assert f"wrote {target}" in result.output
    assert _load(target).model_dump() == _load(ROOT / "examples" / "b2b-lead-to-customer.journey.yaml").model_dump()
    target.write_text("mine\n", encoding="utf-8")
    again = runner.invoke(app, ["import", str(book), "-o", str(out)])
    assert again.exit_code == 2 and "already exists: use --force" in again.output
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(app, ["import", str(book), "-o", str(out), "--force"])
    assert forced.exit_code == 0 and target.read_text(encoding="utf-8").startswith("# Imported from")
    assert [p.name for p in out.iterdir()] == [target.name]  # no temporary file left beside it


def _edit(book: Path, sheet_name: str, cell: str, value: Any) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb[sheet_name][cell] = value
    wb.save(book)


def _validate_message(tmp_path: Path, yaml_text: str) -> str:
    """What `validate` says about a YAML journey with the same mistake (its message, without position)."""
    path = tmp_path / "same.journey.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path), "--select", "schema"])
    line = next(l for l in result.output.splitlines() if " error schema " in l)
    return line.split(" error schema ", 1)[1]


def test_a_bad_value_is_reported_at_its_cell_in_validates_words(book: Path, tmp_path: Path) -> None:
    _edit(book, "Touchpoints", "E3", "webpage")  # kind of the second touchpoint
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 1
    journey = _load(ROOT / "examples" / "b2b-lead-to-customer.journey.yaml")
    stage, index = next((s, i) for s, st in enumerate(journey.stages) for i, _ in enumerate(st.touchpoints)
                        if sum(len(x.touchpoints) for x in journey.stages[:s]) + i == 1)
    data = yaml.safe_load((ROOT / "examples" / "b2b-lead-to-customer.journey.yaml").read_text(encoding="utf-8"))
    data["stages"][stage]["touchpoints"][index]["kind"] = "webpage"
    expected = _validate_message(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert f"book.xlsx: Touchpoints!E3: {expected}\n" in result.output
    assert "nothing imported" in result.output
    assert not (tmp_path / "b2b-lead-to-customer.journey.yaml").exists()


def test_an_unreadable_transition_and_a_stray_stage_name_their_cells(book: Path, tmp_path: Path) -> None:
    _edit(book, "Touchpoints", "V2", "demo-request thirty percent")
    _edit(book, "Touchpoints", "A4", "nowhere")
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "book.xlsx: Touchpoints!V2: cannot read 'thirty' in 'demo-request thirty percent'" in result.output
    assert "book.xlsx: Touchpoints!A4: stage 'nowhere' is not a stage of the Stages sheet" in result.output


def test_hand_edits_a_person_makes_are_read(book: Path, tmp_path: Path) -> None:
    """A retyped sheet name, TRUE typed as text, a number typed into a name: read as meant."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Touchpoints"]
    ws.title = "tmp"  # openpyxl refuses a rename that differs only in case: go through another name
    ws.title = "touchpoints"
    ws["M3"] = "true"
    ws["M3"].data_type = "s"
    ws["C3"] = 2026
    ws["E4"] = "webpage"
    wb.save(book)
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "book.xlsx: touchpoints!E4: " in result.output
    ws["E4"] = None
    wb.save(book)
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    journey = _load(tmp_path / "b2b-lead-to-customer.journey.yaml")
    second = [tp for _, tp in journey.touchpoints()][1]
    assert second.entry is True and second.name == "2026"


AWKWARD_TEXTS = ["09", "010", "0o10", "0x1F", "1_000", "1:20", "1e3", "-.5", "+.5", ".inf", "y", "N", "yEs", "off",
                 "true", "null", "~", "", "=", "<<", "2026-03-01", "0", "1.0"]


def test_import_writes_text_every_yaml_reader_reads_alike() -> None:
    """Text that YAML 1.1 or 1.2 would read as something else is quoted, so the file means the same to
    journeyctl, editors and PyYAML, and carries no yaml-ambiguous finding (docs/yaml.md)."""
    data = {"journeyctl": 1, "id": "09", "title": "Y", "tags": AWKWARD_TEXTS,
            "personas": [{"id": "n"}], "stages": [{"id": "1e3", "touchpoints": [
                {"id": "on", "name": "yes", "personas": ["n"], "share": 0.5, "entry": True, "emotion": -2}]}]}
    text = to_yaml(data, "book.xlsx")
    doc = load_text(text, Path("x.yaml"))
    assert doc.ambiguous == [] and doc.problems == []
    assert doc.data == data and yaml.safe_load(text) == data  # YAML 1.2 (journeyctl) and 1.1 (PyYAML)
    assert "\nid: '09'\n" in text and "- 'y'\n" in text and "share: 0.5\n" in text and "entry: true\n" in text
    assert schema_check(Draft(data, lambda path: "here"), text, "book.xlsx") == []


def test_a_number_cell_that_is_no_finite_number_says_what_the_cell_says(book: Path, tmp_path: Path) -> None:
    for typed in ("nan", "-inf"):
        _edit(book, "Touchpoints", "N2", typed)  # share of the first touchpoint
        result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
        assert result.exit_code == 1
        assert f"book.xlsx: Touchpoints!N2: stages[0].touchpoints[0].share must be a number, not '{typed}'\n" \
            in result.output


def test_an_emotion_out_of_range_names_the_stage_cell(book: Path, tmp_path: Path) -> None:
    _edit(book, "Stages", "E3", 7)
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "book.xlsx: Stages!E3: " in result.output and "7" in result.output


def _encrypted_container() -> bytes:
    """The start of what Excel writes for a password-protected workbook: an OLE compound file whose
    directory holds the EncryptedInfo and EncryptedPackage streams (names in UTF-16)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + "EncryptionInfo".encode("utf-16-le").ljust(128, b"\0") \
        + "EncryptedPackage".encode("utf-16-le").ljust(128, b"\0")
    return header + directory + bytes(1024)


def _formula_book(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Touchpoints"]["J2"] = "=1+1"
    wb.save(path)


def _merged_book(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Stages"].merge_cells("B2:C2")
    wb.save(path)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("stage,id\nx,y\n", encoding="utf-8"), "not an xlsx workbook (an xlsx file is a zip archive"),
    (lambda p: p.write_bytes(_encrypted_container()), "the workbook is password-protected (encrypted)"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)), "old binary Excel file (.xls)"),
    (lambda p: p.write_bytes(_zip_without_workbook()), "not a readable xlsx"),
    (_formula_book, "Touchpoints!J2: a formula (=1+1); paste the values instead"),
    (_merged_book, "Stages!B2:C2: merged cells are not supported"),
], ids=["text", "encrypted", "xls", "zip-not-xlsx", "formula", "merged"])
def test_a_bad_workbook_is_one_clear_message_and_exit_2(book: Path, tmp_path: Path, make, message: str) -> None:
    make(book)
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journeyctl: ") and "book.xlsx" in lines[0]
    assert message in lines[0] and "Traceback" not in result.output


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


def test_a_workbook_that_unpacks_too_big_is_refused_before_reading(book: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet, "MAX_UNZIPPED", 10_000)  # the real limit is 256 MiB; this workbook unpacks to more
    result = runner.invoke(app, ["import", str(book), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "bytes, more than the 10,000 journeyctl reads" in result.output


def test_a_workbook_without_the_layout_points_at_grid(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Stage"
    path = tmp_path / "plain.xlsx"
    wb.save(path)
    result = runner.invoke(app, ["import", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "--layout grid" in result.output
