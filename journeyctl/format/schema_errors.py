"""Schema violations as findings a CX person can act on.

The fast path validates with the pydantic model (compiled); only a file that fails is re-checked with
jsonschema against the published schema, whose errors carry the JSON path we need to find the line.
Raw validator messages ("... is not valid under any of the given schemas") are translated into what to
change, with the YAML 1.1 trap spelled out where an unquoted `no`, `3.10` or `1:20` is to blame.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from yaml.nodes import ScalarNode

from ..check.findings import Finding, format_path
from .limits import MAX_FINDINGS
from .loader import Document
from .model import DATE_PATTERN, DAY_PATTERN, DURATION_PATTERN, ID_PATTERN, REF_PATTERN, URL_PATTERN
from ..suggest import closest

_YAML_TYPE = {"tag:yaml.org,2002:bool": "a boolean", "tag:yaml.org,2002:int": "an integer",
              "tag:yaml.org,2002:float": "a number", "tag:yaml.org,2002:null": "empty (null)"}
_JSON_TYPE = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "array": "a list", "object": "a mapping", "null": "empty"}


_VALIDATORS: dict[str, Any] = {}


def _cached_validator(kind: str = "journey") -> Any:
    if kind not in _VALIDATORS:
        import jsonschema

        from .schema import journey_schema

        cls = jsonschema.Draft202012Validator
        _VALIDATORS[kind] = cls(journey_schema(kind), format_checker=cls.FORMAT_CHECKER)
    return _VALIDATORS[kind]


def _leaves(error: Any) -> Iterator[Any]:
    """Descend into anyOf/oneOf: an optional field's error is about its non-null alternative."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        non_null = [e for e in error.context if e.schema.get("type") != "null"]
        if non_null:
            for sub in non_null:
                yield from _leaves(sub)
            return
    yield error


def _quoted_is_valid(path: tuple[str | int, ...], text: str, kind: str) -> bool:
    from .schema import journey_schema
    from .yaml12 import accepts, subschemas

    root = journey_schema(kind)
    schemas = subschemas(root, path)
    return bool(schemas) and accepts(schemas, root, text)


def _describe_type(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_JSON_TYPE.get(t, t) for t in expected if t != "null")  # null: leave the key out
    return _JSON_TYPE.get(expected, str(expected))


def _yaml_hint(doc: Document, path: tuple[str | int, ...], kind: str = "journey") -> str:
    """Advice to quote an unquoted value YAML read as a number or boolean, only where quoting is the fix:
    the quoted text is valid there (not for `touchpoints:` left empty, `reviewed: 20260101`, `entry: 1`)."""
    node = doc.node_at(path)
    # A plain scalar's style is None in PyYAML and '' in libyaml.
    if isinstance(node, ScalarNode) and not node.style and node.tag in _YAML_TYPE and _quoted_is_valid(path, node.value, kind):
        what = _YAML_TYPE[node.tag]
        return (f"; YAML reads the unquoted {node.value!r} as {what} — write it in quotes "
                f"(\"{node.value}\") to keep the text")
    return ""


def _unknown_keys(error: Any) -> list[tuple[tuple[str | int, ...], str]]:
    path = tuple(error.absolute_path)
    where = format_path(path) or "the journey"
    allowed = set(error.schema.get("properties", {}))
    extra = sorted(k for k in error.instance if k not in allowed) if isinstance(error.instance, dict) else []
    out = []
    for key in extra:
        hint = closest(key, allowed)
        suffix = f" (did you mean '{hint}'?)" if hint else f"; allowed keys: {', '.join(sorted(allowed))}"
        out.append((path + (key,), f"unknown key '{key}' in {where}{suffix}"))
    return out


def _missing_key(error: Any) -> str:
    return error.message.split("'")[1] if "'" in error.message else error.message


def _message(error: Any, doc: Document) -> tuple[tuple[str | int, ...], str, bool]:
    path = tuple(error.absolute_path)
    where = format_path(path) or "the journey"
    validator, schema, instance = error.validator, error.schema, error.instance
    if validator == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        key = extra[0] if extra else ""
        hint = closest(key, allowed)
        suffix = f" (did you mean '{hint}'?)" if hint else f"; allowed keys: {', '.join(sorted(allowed))}"
        return path + (key,), f"unknown key '{key}' in {where}{suffix}", True
    if validator == "required":
        missing = _missing_key(error)
        return path, f"missing required key '{missing}' in {where}", False
    if validator == "type":
        got = _describe_value(instance)
        expected = schema.get("type")
        wanted = _describe_type(expected) + _range(schema)
        return path, f"{where} must be {wanted}, not {got}{_correction(schema, instance, path, doc)}", False
    if validator == "enum":
        options = [o for o in schema.get("enum", []) if o is not None]  # null: leave the key out
        hint = closest(str(instance), [str(o) for o in options])
        text = f"{where} must be one of {', '.join(map(str, options))}, not {_describe_value(instance)}"
        text += f" (did you mean '{hint}'?)" if hint and hint != str(instance) else ""
        return path, text + _yaml_hint(doc, path), False
    if validator == "const":
        return path, f"{where} must be {schema.get('const')!r}, not {_describe_value(instance)}", False
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if "minimum" in schema and "maximum" in schema:
            return path, f"{where} must be{_range(schema)}, not {_number(instance)}", False
        return path, f"{where}: {instance!r} is out of range ({validator} {error.validator_value})", False
    if validator == "pattern":
        advice = _pattern_advice(error.validator_value, instance, path)
        if error.validator_value == DURATION_PATTERN and isinstance(instance, str) and _duration(instance):
            advice += f" (did you mean '{_duration(instance)}'?)"
        return path, f"{where}: {_describe_value(instance)} {advice}", False
    if validator == "format":
        return path, f"{where}: {_describe_value(instance)} is not a valid {error.validator_value}", False
    if validator in ("minLength", "maxLength", "minItems", "maxItems"):
        noun = ("character" if "Length" in validator else "item") + ("" if error.validator_value == 1 else "s")
        bound = "at least" if validator.startswith("min") else "at most"
        return path, f"{where} must have {bound} {error.validator_value} {noun}", False
    return path, f"{where}: {error.message}", False


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _range(schema: dict[str, Any]) -> str:
    """' from -2 to 2' for a bounded number (emotion), else ''."""
    if "minimum" in schema and "maximum" in schema and schema["minimum"] != schema["maximum"]:
        return f" from {_number(schema['minimum'])} to {_number(schema['maximum'])}"
    return ""


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-eight": 48}
_UNITS = {"min": "min", "mins": "min", "minute": "min", "minutes": "min", "m": "min", "h": "h", "hr": "h",
          "hrs": "h", "hour": "h", "hours": "h", "d": "d", "day": "d", "days": "d", "w": "w", "wk": "w",
          "wks": "w", "week": "w", "weeks": "w"}
_SPOKEN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?|[a-z-]+)\s*([a-z]+)\s*$")


def _duration(text: str) -> str:
    """'1h' for '1 hour', 'one hour', '24 hrs', '2 Days'; '' when the text is no recognisable duration."""
    match = _SPOKEN.match(text.lower())
    if not match or match[2] not in _UNITS:
        return ""
    amount = match[1] if match[1][0].isdigit() else str(_WORDS.get(match[1], ""))
    return f"{amount}{_UNITS[match[2]]}" if amount else ""


def _correction(schema: dict[str, Any], instance: Any, path: tuple[str | int, ...], doc: Document) -> str:
    """What to write instead of a value of the wrong type, where the mistake is recognisable."""
    expected = schema.get("type")
    kinds = expected if isinstance(expected, list) else [expected]
    if "number" in kinds and isinstance(instance, str):
        percent = _PERCENT.match(instance)
        if percent:
            return f"; write {_number(round(float(percent[1]) / 100, 10))} (a share from 0 to 1, not a percentage)"
        try:
            number = float(instance.strip())
        except ValueError:
            return ""
        if number == number and abs(number) != float("inf"):
            return f"; write {instance.strip()} without quotes"
        return ""
    if "string" in kinds and schema.get("format") == "date" and isinstance(instance, int) \
            and 10_000_000 <= instance <= 99_999_999:
        digits = str(instance)
        return f'; write "{digits[:4]}-{digits[4:6]}-{digits[6:]}" (a date is YYYY-MM-DD)'
    return _yaml_hint(doc, path)


_ID_RULE = "use ASCII letters, digits, '-', '_' or '.', starting with a letter or digit, no spaces"
# What to write instead, per pattern of the schema: a regex or a field description does not tell a CX lead
# that `Stage One` needs a hyphen or that `day three` needs a digit.
_PATTERN_ADVICE = {
    DURATION_PATTERN: "is not a duration: write a number and a unit, min, h, d or w, e.g. 30min, 24h, 90d, 2w",
    DAY_PATTERN: "is not a day: write 'day' and a whole number, e.g. 'day 3'",
    DATE_PATTERN: "is not a date: write YYYY-MM-DD in quotes, e.g. \"2026-03-01\"",
    URL_PATTERN: "is not a link: write an http:// or https:// address without spaces",
}


def _slug(value: str) -> str:
    """The nearest valid id to `value` (accents dropped, runs of other characters as '-'), or ''."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_.]+", "-", ascii_text.lower()).strip("-_.")[:128]


def _pattern_advice(pattern: str, instance: Any, path: tuple[str | int, ...]) -> str:
    if pattern in _PATTERN_ADVICE:
        return _PATTERN_ADVICE[pattern]
    example = ""
    if isinstance(instance, str):
        if pattern == REF_PATTERN:
            parts = [_slug(part) for part in instance.split("/", 1)]
            suggestion = "/".join(parts) if all(parts) else ""
        else:
            suggestion = _slug(instance)
        example = f" (e.g. '{suggestion}')" if suggestion else ""
    if pattern == REF_PATTERN:
        return ("is not a touchpoint reference: write a touchpoint id, or 'journey-id/touchpoint-id' for a "
                f"touchpoint of another journey{example}")
    if pattern == ID_PATTERN:
        # Where the id is declared, the words the user wanted belong in its name; a reference must
        # repeat the declared id.
        where = "; put the words in 'name'" if path and path[-1] == "id" else ""
        return f"is not an id: {_ID_RULE}{example}{where}"
    return f"does not match the pattern {pattern}"


def _describe_value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _union_type_message(error: Any, doc: Document) -> tuple[tuple[str | int, ...], str] | None:
    """One message for a value that has none of a union's types (bool or text), naming them all."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return None
    leaves = [e for e in error.context if e.schema.get("type") != "null"]
    if len(leaves) < 2 or any(e.validator != "type" or e.absolute_path != error.absolute_path for e in leaves):
        return None
    path = tuple(error.absolute_path)
    wanted = ", or ".join(_describe_type(e.schema.get("type")) for e in leaves)
    where = format_path(path) or "the journey"
    return path, f"{where} must be {wanted}, not {_describe_value(error.instance)}{_yaml_hint(doc, path)}"


def schema_findings(doc: Document, display: str, skip: set[tuple[str | int, ...]] | None = None,
                    kind: str = "journey") -> list[Finding]:
    """Every schema violation of a document, positioned; `skip` holds paths the loader already reported."""
    skip = skip or set()
    best: dict[tuple[str | int, ...], tuple[int, tuple[tuple[str | int, ...], str, bool]]] = {}
    more = False
    for error in _cached_validator(kind).iter_errors(doc.data):
        if len(best) >= MAX_FINDINGS:  # a list of 200,000 wrong values: the first ones say it all
            more = True
            break
        union = _union_type_message(error, doc)
        if union is not None:  # `milestone: 5`: "true or false, or text", not just the first alternative
            path, message = union
            if not any(path[: len(s)] == s for s in skip):
                best[path] = (2, (path, message, False))
            continue
        for leaf in _leaves(error):
            if leaf.validator == "additionalProperties":  # every unknown key of the mapping, not the first
                for path, message in _unknown_keys(leaf):
                    if not any(path[: len(s)] == s for s in skip):
                        best[path] = (0, (path, message, True))
                continue
            path, message, on_key = _message(leaf, doc)
            subject = path + (_missing_key(leaf),) if leaf.validator == "required" else path
            if any(subject[: len(s)] == s for s in skip):  # the loader already said why (a refused tag)
                continue
            # One finding per place: "not one of draft, active, retired" says more than "not a string".
            rank = _PRIORITY.get(leaf.validator, 5)
            if path not in best or rank < best[path][0]:
                best[path] = (rank, (path, message, on_key))
    out = []
    for _, (path, message, on_key) in best.values():
        line, column = doc.locate(path, key=on_key)
        out.append(Finding("schema", "error", display, line, column, message, format_path(path)))
    out.sort(key=Finding.sort_key)
    if more:
        last = out[-1]
        out.append(Finding("schema", "error", display, last.line, last.column,
                           f"more than {MAX_FINDINGS} schema problems in this file: the first {MAX_FINDINGS} are "
                           "listed, fix them and run again"))
    return out


# Findings per file and kind: enough to act on, and a bound on the work (see loader.MAX_NODES).


_PRIORITY = {"additionalProperties": 0, "required": 0, "const": 1, "enum": 1, "type": 2}
