"""What a plain YAML scalar means: YAML 1.2's core schema (journeyctl's reading) against YAML 1.1's.

journeyctl reads plain scalars as YAML 1.2's core schema does (YAML 1.2.2, section 10.3), which is what
editors (VS Code's YAML extension, yaml-language-server) and check-jsonschema read. YAML 1.1 tools
(PyYAML, Ruby's Psych, go-yaml v2, many CI scripts) read some of the same spellings differently:
`yes`, `no`, `on`, `off`, `y`, `n` are booleans there, `010` is octal 8, `1:20` is the sexagesimal 80,
`1_000` is a thousand, `0o10` and `1e3` are text. Such a spelling is a `yaml-ambiguous` finding with
the one spelling that means the same to every reader.

The readings are derived from the two specifications:
- YAML 1.2 core schema: null `~ null Null NULL` and empty; bool `true True TRUE false False FALSE`;
  int `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; float `[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
  `[-+]?\\.(inf|Inf|INF)`, `\\.(nan|NaN|NAN)`; everything else is a string.
- YAML 1.1 types (yaml.org/type/bool, int, float, null, merge, value): PyYAML's implicit resolvers
  implement them, except that the spec (and Psych, case-insensitively) also reads `y`, `n` as booleans;
  1.1 timestamps are left out on purpose: journeyctl, check-jsonschema and editors all keep a date's text.

The finding's message ends in `; write <replacement>`, the exact YAML text to put in place of the
scalar, so that `journeyctl fix` can apply it without knowing the rule.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_TAG = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = (_TAG + k for k in ("str", "null", "bool", "int", "float"))
MERGE = _TAG + "merge"
# A plain scalar that YAML 1.1 and 1.2 read differently: the loader resolves it to this tag, so that the
# builder (which skips plain strings on its fast path) sees it and records the ambiguity.
AMBIGUOUS = "tag:journeyctl.dev,2026:ambiguous"

_NULL12 = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL12 = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT12 = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF12 = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN12 = re.compile(r"^\.(?:nan|NaN|NAN)$")

# YAML 1.1's booleans, any case (the spec lists three casings; Ruby's Psych matches case-insensitively).
_BOOL11 = {"y": True, "yes": True, "true": True, "on": True, "n": False, "no": False, "false": False, "off": False}

_LONGEST = 1000
# Plain scalars starting with anything else are strings to both readers: no further look needed.
FIRST = frozenset("0123456789-+.~=<yYnNtTfFoO")


def reading_12(text: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar under YAML 1.2's core schema."""
    if _NULL12.fullmatch(text):
        return NULL, None
    if text in _BOOL12:
        return BOOL, _BOOL12[text]
    if _INT10.fullmatch(text):
        # Past Python's int-from-text limit the value is not needed: the loader refuses over 100 digits.
        return INT, int(text) if len(text) <= _LONGEST else None
    if _INT8.fullmatch(text):
        return INT, int(text[2:], 8)
    if _INT16.fullmatch(text):
        return INT, int(text[2:], 16)
    if _FLOAT12.fullmatch(text):
        return FLOAT, float(text)
    if _INF12.fullmatch(text):
        return FLOAT, -math.inf if text.startswith("-") else math.inf
    if _NAN12.fullmatch(text):
        return FLOAT, math.nan
    return STR, text


def reading_11(text: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar under YAML 1.1's types, as PyYAML and other 1.1 tools read it."""
    import yaml
    from yaml.nodes import ScalarNode

    if text.lower() in _BOOL11:
        return BOOL, _BOOL11[text.lower()]
    tag = yaml.resolver.Resolver().resolve(ScalarNode, text, (True, False))
    if tag in (INT, FLOAT):
        constructor = yaml.constructor.SafeConstructor()
        build = constructor.construct_yaml_int if tag == INT else constructor.construct_yaml_float
        try:
            return tag, build(ScalarNode(tag, text))
        except (ValueError, OverflowError):
            return STR, text
    if tag == NULL:
        return NULL, None
    if tag in (_TAG + "value", MERGE):
        return tag, text
    return STR, text  # strings, and timestamps (kept as text by journeyctl and JSON Schema tools)


def _same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == FLOAT:
        return repr(a[1]) == repr(b[1])
    return bool(a[1] == b[1])


def is_ambiguous(text: str) -> bool:
    """Whether YAML 1.1 and YAML 1.2 read this plain scalar as different values."""
    if not text or text[0] not in FIRST or len(text) > _LONGEST:
        return False
    twelve = reading_12(text)
    if twelve[0] == STR and text == "<<":
        return False  # the merge key: journeyctl, like most tools, honours it
    return not _same(twelve, reading_11(text))


def describe(reading: tuple[str, Any]) -> str:
    tag, value = reading
    if tag == STR:
        return f"the text {json.dumps(value, ensure_ascii=False)}"
    if tag == BOOL:
        return f"the boolean {'true' if value else 'false'}"
    if tag == NULL:
        return "empty (null)"
    if tag == INT:
        return f"the integer {value}"
    if tag == FLOAT:
        return f"the number {spell(reading)}"
    return "the 'value' key type (PyYAML refuses to load it)" if tag.endswith("value") else "a merge key"


def spell(reading: tuple[str, Any]) -> str:
    """The spelling of a value that every YAML reader (1.1 and 1.2) reads as that value."""
    tag, value = reading
    if tag == BOOL:
        return "true" if value else "false"
    if tag == NULL:
        return "null"
    if tag == INT:
        return str(value)
    if tag == FLOAT:
        if not math.isfinite(value):
            return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        if "e" in text:  # YAML 1.1 wants a dot in the mantissa and a signed exponent
            mantissa, exponent = text.split("e")
            if "." not in mantissa:
                mantissa += ".0"
            if exponent[0] not in "+-":
                exponent = "+" + exponent
            text = f"{mantissa}e{exponent}"
        return text
    return json.dumps(str(value), ensure_ascii=False)


# --- the finding -------------------------------------------------------------------------------------

def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            return {}
        schema = root.get("$defs", {}).get(ref[len("#/$defs/"):], {})
    return schema


def _branches(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [leaf for sub in schema[key] for leaf in _branches(sub, root)]
    return [schema]


def subschemas(root: dict[str, Any], path: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """The schemas that may apply to the value at `path` (empty: the path is not in the schema)."""
    current = _branches(root, root)
    for step in path:
        following: list[dict[str, Any]] = []
        for schema in current:
            if isinstance(step, int) and "items" in schema:
                following.extend(_branches(schema["items"], root))
            elif isinstance(step, str) and step in schema.get("properties", {}):
                following.extend(_branches(schema["properties"][step], root))
        current = following
    return current


def _types(schema: dict[str, Any]) -> set[str]:
    if "type" in schema:
        kind = schema["type"]
        return set(kind) if isinstance(kind, list) else {kind}
    values = schema.get("enum", []) + ([schema["const"]] if "const" in schema else [])
    return {"string" if isinstance(v, str) else "null" if v is None else "other" for v in values} or {"any"}


def text_only(schemas: list[dict[str, Any]]) -> bool:
    """Whether the field takes text only (or is not in the schema): the reading is then a matter of text."""
    return all(_types(s) <= {"string", "null"} for s in schemas)


def accepts(schemas: list[dict[str, Any]], root: dict[str, Any], value: Any) -> bool:
    """Whether any of `schemas` (from subschemas) accepts `value`."""
    return _accepts(schemas, root, value)


_VALIDATORS: dict[int, Any] = {}


def _accepts(schemas: list[dict[str, Any]], root: dict[str, Any], value: Any) -> bool:
    """Whether one of `schemas` accepts `value`; validators are built once per subschema (a file of 10,000
    `entry: no` asks the same question 10,000 times)."""
    import jsonschema

    for schema in schemas:
        validator = _VALIDATORS.get(id(schema))
        if validator is None:
            validator = jsonschema.Draft202012Validator({**schema, "$defs": root.get("$defs", {})})
            _VALIDATORS[id(schema)] = validator
        if validator.is_valid(value):
            return True
    return False


def ambiguity(text: str, path: tuple[str | int, ...], root: dict[str, Any]) -> tuple[str, str, bool]:
    """(severity, message, fixes) of the yaml-ambiguous finding for plain scalar `text` at `path`.

    An error where the field's type is not text and a reading is valid there (a boolean, a number: which
    reading wins decides the value), or where journeyctl's reading is not text in a text field (`010`);
    a warning in a text field or an unknown key (journeyctl and editors read the text; only YAML 1.1
    tools misread it), and where no reading is valid (the schema finding says what is allowed). The replacement is the quoted text in a text field; elsewhere the
    reading the schema accepts, preferring journeyctl's own. `fixes`: the replacement is valid there,
    so a schema finding at the same place says nothing more.
    """
    from ..check.findings import format_path

    twelve, eleven = reading_12(text), reading_11(text)
    schemas = subschemas(root, path)
    if text_only(schemas):
        # journeyctl's own reading is not text (010, 1e3): the value fails the field here too.
        severity = "warning" if twelve[0] == STR else "error"
        replacement = json.dumps(text, ensure_ascii=False)
        fixes = bool(schemas) and _accepts(schemas, root, text)
    else:
        typed = [r for r in (twelve, eleven) if r[0] in (BOOL, INT, FLOAT, NULL)]
        valid = [r for r in typed if _accepts(schemas, root, r[1])]
        if valid:
            severity, replacement, fixes = "error", spell(valid[0]), True
        else:  # wrong either way (`handoff: yes`, `emotion: 010`): the schema finding says what is allowed
            severity, fixes = "warning", False
            replacement = spell(twelve) if twelve in typed else json.dumps(text, ensure_ascii=False)
    where = format_path(path) or "the journey"
    message = (f"{where}: {text} is {describe(twelve)} in YAML 1.2 (journeyctl, editors, check-jsonschema) "
               f"but {describe(eleven)} in YAML 1.1 (PyYAML and other 1.1 tools); write {replacement}")
    return severity, message, fixes


def ambiguity_findings(doc: Any, display: str, kind: str = "journey") -> tuple[list[Any], set[str]]:
    """The yaml-ambiguous findings of a loaded document, worded against the published schema, and the
    paths (as findings show them) where the replacement fixes the value: their schema finding is redundant."""
    from ..check.findings import Finding, format_path
    from .limits import MAX_FINDINGS
    from .schema import journey_schema

    root = journey_schema(kind)
    out, explained = [], set()
    for index, p in enumerate(doc.ambiguous):
        if index == MAX_FINDINGS:
            out.append(Finding("yaml-ambiguous", "warning", display, p.line, p.column,
                               f"more than {MAX_FINDINGS} values YAML 1.1 reads differently: the first "
                               f"{MAX_FINDINGS} are listed"))
            break
        if p.rule == "yaml-ambiguous-key":  # a key is always text to journeyctl: say what 1.1 sees
            where = format_path(p.path[:-1]) or "the journey"
            message = (f"key {p.message} in {where} is {describe(reading_12(p.message))} in YAML 1.2 (journeyctl, "
                       f"editors, check-jsonschema) but {describe(reading_11(p.message))} in YAML 1.1 (PyYAML and "
                       f"other 1.1 tools); write {json.dumps(p.message, ensure_ascii=False)}")
            out.append(Finding("yaml-ambiguous", "warning", display, p.line, p.column, message, format_path(p.path)))
            continue
        severity, message, fixes = ambiguity(p.message, p.path, root)
        out.append(Finding("yaml-ambiguous", severity, display, p.line, p.column, message, format_path(p.path)))
        if fixes:
            explained.add(format_path(p.path))
    return out, explained


def dump(data: Any, width: int = 100) -> str:
    """`data` as YAML text that every reader reads back as `data`, in the given key order.

    PyYAML's safe dumper quotes what YAML 1.1 reads as something else (`yes`, `1_000`, `on`) but writes
    plain what only YAML 1.2 (journeyctl, editors, check-jsonschema) reads differently (`09` is the
    integer 9, `1e3` a number), and `y`/`n`, booleans to the 1.1 spec and Ruby. Files journeyctl writes
    (imports, rule examples) must mean the same to every reader (docs/yaml.md), so those are quoted too.
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: Any, value: str) -> Any:
        if value and value[0] in FIRST and (reading_12(value)[0] != STR or is_ambiguous(value)):
            return dumper.represent_scalar(STR, value, style="'")
        return yaml.SafeDumper.represent_str(dumper, value)

    Dumper.add_representer(str, represent_str)
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=width)
