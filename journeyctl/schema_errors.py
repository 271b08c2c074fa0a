"""Schema violations as findings a CX person can act on.

The fast path validates with the pydantic model (compiled); only a file that fails is re-checked with
jsonschema against the published schema, whose errors carry the JSON path we need to find the line.
Raw validator messages ("... is not valid under any of the given schemas") are translated into what to
change, with the YAML 1.1 trap spelled out where an unquoted `no`, `3.10` or `1:20` is to blame.
"""

from __future__ import annotations

from typing import Any, Iterator

from yaml.nodes import ScalarNode

from .findings import Finding, format_path
from .loader import Document
from .model import DATE_PATTERN, DAY_PATTERN, DURATION_PATTERN, ID_PATTERN, REF_PATTERN, URL_PATTERN
from .suggest import closest

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


def _describe_type(expected: Any) -> str:
    if isinstance(expected, list):
        return " or ".join(_JSON_TYPE.get(t, t) for t in expected)
    return _JSON_TYPE.get(expected, str(expected))


def _yaml_hint(doc: Document, path: tuple[str | int, ...], quoting_helps: bool = True) -> str:
    """Advice to quote an unquoted value YAML read as a number or boolean, only where quoting is the fix
    (the field takes text, or the quoted text is one of its allowed values)."""
    node = doc.node_at(path)
    # A plain scalar's style is None in PyYAML and '' in libyaml.
    if quoting_helps and isinstance(node, ScalarNode) and not node.style and node.tag in _YAML_TYPE:
        what = _YAML_TYPE[node.tag]
        return (f"; YAML reads the unquoted {node.value!r} as {what} — write it in quotes "
                f"(\"{node.value}\") to keep the text")
    return ""


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
        takes_text = "string" in (expected if isinstance(expected, list) else [expected])
        return path, f"{where} must be {_describe_type(expected)}, not {got}{_yaml_hint(doc, path, takes_text)}", False
    if validator == "enum":
        options = schema.get("enum", [])
        hint = closest(str(instance), [str(o) for o in options])
        text = f"{where} must be one of {', '.join(map(str, options))}, not {_describe_value(instance)}"
        text += f" (did you mean '{hint}'?)" if hint and hint != str(instance) else ""
        return path, text + _yaml_hint(doc, path, str(instance) in map(str, options)), False
    if validator == "const":
        return path, f"{where} must be {schema.get('const')!r}, not {_describe_value(instance)}", False
    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return path, f"{where}: {instance!r} is out of range ({validator} {error.validator_value})", False
    if validator == "pattern":
        return path, f"{where}: {_describe_value(instance)} {_pattern_advice(error.validator_value, instance, path)}", False
    if validator == "format":
        return path, f"{where}: {_describe_value(instance)} is not a valid {error.validator_value}", False
    if validator in ("minLength", "maxLength", "minItems", "maxItems"):
        noun = ("character" if "Length" in validator else "item") + ("" if error.validator_value == 1 else "s")
        bound = "at least" if validator.startswith("min") else "at most"
        return path, f"{where} must have {bound} {error.validator_value} {noun}", False
    return path, f"{where}: {error.message}", False


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


def schema_findings(doc: Document, display: str, skip: set[tuple[str | int, ...]] | None = None,
                    kind: str = "journey") -> list[Finding]:
    """Every schema violation of a document, positioned; `skip` holds paths the loader already reported."""
    skip = skip or set()
    best: dict[tuple[str | int, ...], tuple[int, tuple[tuple[str | int, ...], str, bool]]] = {}
    for error in _cached_validator(kind).iter_errors(doc.data):
        for leaf in _leaves(error):
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
    return sorted(out, key=Finding.sort_key)


_PRIORITY = {"additionalProperties": 0, "required": 0, "const": 1, "enum": 1, "type": 2}
