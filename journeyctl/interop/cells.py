"""How journey values sit in spreadsheet cells, both ways, so a sheet carries a journey exactly.

A cell holds what a person would type; the few escapes exist only so that a round trip gives back the
same journey for any text YAML can hold:
- text that XML cannot carry (control characters) is written the way Excel writes it, `_x0001_`, and a
  literal `_x0041_` in the text becomes `_x005F_x0041_` (Excel's own convention);
- an empty text (as opposed to no value) is the two characters `""`;
- a list is one item per line; inside an item a line break is `\\n` and a backslash `\\\\`.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
EMPTY = '""'


def xml_escape(text: str) -> str:
    """Text an xlsx cell can hold: Excel's `_xHHHH_` for characters XML forbids."""
    text = _ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def xml_unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def put_text(value: str | None) -> str | None:
    """A scalar text field as a cell value: None is an empty cell, "" is `""`."""
    if value is None:
        return None
    if value == "":
        return EMPTY
    if value == EMPTY:
        return "_x0022_" + '"'
    return xml_escape(value)


def get_text(value: Any) -> Any:
    """The field value of a text cell; a non-text cell is passed on for the schema to judge."""
    if isinstance(value, str):
        return "" if value == EMPTY else xml_unescape(value)
    return value


def atom(item: str, extra: str = "") -> str:
    """One item of a multi-line cell: one line, `""` when empty; `extra` characters are backslashed."""
    if item == "":
        return EMPTY
    out = item.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    for ch in extra:
        out = out.replace(ch, "\\" + ch)
    return '\\"\\"' if out == EMPTY else out


_BACKSLASHED = re.compile(r"\\(.)", re.S)


def unatom(text: str) -> str:
    if text == EMPTY:
        return ""
    return _BACKSLASHED.sub(lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), text)


def put_list(items: list[str]) -> str | None:
    if not items:
        return None
    return xml_escape("\n".join(atom(i) for i in items))


def get_list(value: Any) -> Any:
    """A list cell's items; a number or a date typed into it is one item as written."""
    if value is None:
        return []
    if not isinstance(value, str):
        value = format_scalar(value)
    text = xml_unescape(value).replace("\r\n", "\n")
    return [unatom(line) for line in text.split("\n")]


def split_unescaped(line: str, sep: str) -> list[str]:
    """`line` cut at each `sep` not preceded by a backslash (the parts keep their escapes)."""
    parts, current, i = [], "", 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            current += line[i:i + 2]
            i += 2
            continue
        if ch == sep:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


def put_number(value: float | int | None) -> float | int | str | None:
    """A number cell, or its exact text when Excel's 16 significant digits would round it."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, int):
        return value
    if not math.isfinite(value) or float("%.16g" % value) != value:
        return repr(value)
    return value


def get_number(value: Any) -> Any:
    """A number from a number cell or from text that reads as one; anything else for the schema to judge.

    `nan`, `inf` and `1e400` stay text: a journey holds finite numbers only, and the schema's "must be a
    number, not 'nan'" names what the cell says (YAML's `.nan` would name what the person never typed).
    """
    if isinstance(value, str):
        text = xml_unescape(value).strip()
        try:
            number = float(text)
        except ValueError:
            return get_text(value)
        if not math.isfinite(number):
            return get_text(value)
        return int(number) if re.fullmatch(r"-?\d+", text) else number
    return value


def get_int(value: Any) -> Any:
    value = get_number(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def percent(rate: float) -> str:
    """0.3 → '30%', exactly: the decimal digits of the float's shortest form, shifted by two places."""
    text = format(Decimal(repr(rate)) * 100, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def from_percent(text: str) -> float | None:
    try:
        return float(Decimal(text[:-1]) / 100)
    except (InvalidOperation, ValueError):
        return None


def format_scalar(value: Any) -> str:
    """A non-text cell value as the text a person sees (a date typed into a text column, a number)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def refuse_formulas(ws: Any, display: str, error: type[Exception]) -> None:
    """Raise `error` at the first formula of a worksheet: journeyctl reads values, and a formula's cached
    value may be stale (or absent in a file no spreadsheet program has saved)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                raise error(f"{display}: {ws.title}!{cell.coordinate}: a formula ({cell.value}); "
                            "paste the values instead (journeyctl reads values, not formulas)")
