"""The published JSON Schema: generated from the model, checked in under `schemas/`.

Generating the schema from the pydantic model (rather than writing it twice) is what keeps them from
drifting; `tests/test_schema_model.py` proves the checked-in file is exactly what this module builds.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://journeyctl.dev/schemas/journey.schema.json"
CHECKED_IN = Path(__file__).resolve().parents[2] / "schemas" / "journey.schema.json"

EXAMPLE: dict[str, Any] = {
    "journeyctl": 1,
    "id": "newsletter-signup",
    "title": "Newsletter sign-up",
    "owner": "marketing",
    "status": "active",
    "reviewed": "2026-09-30",
    "review_every": "90d",
    "objectives": ["Turn blog readers into subscribers"],
    "personas": [{"id": "reader", "name": "Curious reader"}],
    "teams": [{"id": "marketing", "name": "Marketing"}],
    "channels": [{"id": "web", "name": "Website"}, {"id": "email", "name": "Email"}],
    "metrics": [{"id": "signup-rate", "name": "Sign-up rate", "unit": "%", "target": 3, "direction": "up"}],
    "stages": [{
        "id": "awareness", "name": "Awareness", "goal": "Readers find the newsletter", "kpis": ["signup-rate"],
        "touchpoints": [
            {"id": "blog-post", "name": "Blog post", "kind": "external", "channel": "web",
             "owner": "marketing", "personas": ["reader"], "entry": True,
             "next": [{"to": "welcome-email", "when": "subscribes", "rate": 0.03}]},
            {"id": "welcome-email", "name": "Welcome email", "kind": "external", "channel": "email",
             "owner": "marketing", "personas": ["reader"], "outcome": "converted", "at": "day 0"},
        ],
    }],
}


def _tidy(node: Any) -> Any:
    """Drop pydantic's auto-generated titles: descriptions carry the documentation."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: _tidy(sub) for name, sub in value.items()}
            else:
                out[key] = _tidy(value)
        return out
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    return node


def _for_editors(schema: dict[str, Any]) -> dict[str, Any]:
    """Optional scalar fields written the way editors (yaml-language-server) read them best; same meaning.

    pydantic writes `x: T | None` as `anyOf: [T, {type: null}]` with `default: null`. yaml-language-server
    then joins the two alternatives' titles on hover ("title || title"), offers a bare `null` and a
    "Default value" null in completion, and shows the inner description (a generic "id of something
    declared elsewhere") instead of the field's. One schema with `type: [T, "null"]` (string and number
    keywords ignore null), or an enum that lists null, accepts exactly the same values. Enum values get
    `enumDescriptions`, which completion and hover show beside each value.
    """
    from .enum_docs import ENUM_DOCS

    for definition in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in definition.get("properties", {}).items():
            choices = prop.get("anyOf")
            if isinstance(choices, list) and len(choices) == 2 and {"type": "null"} in choices:
                other = next(c for c in choices if c != {"type": "null"})
                if "enum" in other:
                    merged: dict[str, Any] = {"enum": [*other["enum"], None]}
                elif isinstance(other.get("type"), str) and not {"$ref", "anyOf", "items"} & set(other):
                    merged = {k: v for k, v in other.items() if k != "description"}
                    merged["type"] = [other["type"], "null"]
                else:
                    continue
                described = prop.get("description", "")
                if other.get("description") and other["description"] != described:
                    described = f"{described}\n\n{other['description']}".strip()
                rest = {k: v for k, v in prop.items() if k not in ("anyOf", "description", "default")
                        or (k == "default" and v is not None)}
                prop.clear()
                prop.update(merged, description=described, **rest)
            if "enum" in prop and name in ENUM_DOCS:
                docs, absent = ENUM_DOCS[name], f"No {name}: the same as leaving the key out."
                prop["enumDescriptions"] = [absent if v is None else docs.get(v, "") for v in prop["enum"]]
    return schema


def _titled(schema: dict[str, Any], root: str) -> dict[str, Any]:
    """Give every property a title naming its place ("Touchpoint: outcome").

    Editors show a title as the heading of a hover; yaml-language-server falls back to the closest
    ancestor's title, which for an untitled property is the whole file's ("journeyctl customer journey"),
    on every key alike. The description that follows still carries the documentation.
    """
    owners = [(root, schema), *((re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize(), definition)
                                for name, definition in schema.get("$defs", {}).items())]
    for owner, definition in owners:
        for name, prop in definition.get("properties", {}).items():
            prop["title"] = f"{owner}: {name}"
    return schema


def build_schema() -> dict[str, Any]:
    """The journey schema as generated from the model, in the published key order."""
    from .model import Journey

    generated = _tidy(Journey.model_json_schema(mode="validation"))
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "journeyctl customer journey (format v1)",
        "description": "One customer journey: personas, teams, channels and metrics it uses, and its "
                       "ordered stages of touchpoints linked by transitions and hand-offs.",
    }
    schema.update({k: v for k, v in generated.items() if k != "description"})
    schema["examples"] = [EXAMPLE]
    return _titled(_for_editors(schema), "Journey")


CATALOG_ID = "https://journeyctl.dev/schemas/catalog.schema.json"
CATALOG_CHECKED_IN = CHECKED_IN.parent / "catalog.schema.json"
CATALOG_EXAMPLE: dict[str, Any] = {
    "journeyctl": 1,
    "title": "Company-wide catalog",
    "teams": [{"id": "marketing", "name": "Marketing"}, {"id": "sales", "name": "Sales"}],
    "channels": [{"id": "web", "name": "Website"}],
    "personas": [{"id": "ops-olivia", "name": "Operations Olivia", "goals": ["Reliable weekly reports"]}],
    "metrics": [{"id": "nps", "name": "Net Promoter Score", "target": 40, "direction": "up"}],
}


def build_catalog_schema() -> dict[str, Any]:
    from .model import Catalog

    generated = _tidy(Catalog.model_json_schema(mode="validation"))
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CATALOG_ID,
        "title": "journeyctl shared catalog (format v1)",
        "description": "Personas, teams, channels and metrics defined once and used by many journeys.",
    }
    schema.update({k: v for k, v in generated.items() if k != "description"})
    schema["examples"] = [CATALOG_EXAMPLE]
    return _titled(_for_editors(schema), "Catalog")


def render_schema(kind: str = "journey") -> str:
    built = build_catalog_schema() if kind == "catalog" else build_schema()
    return json.dumps(built, indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=2)
def journey_schema(kind: str = "journey") -> dict[str, Any]:
    """The schema used at run time: the checked-in file in a source tree, else the generated one."""
    path = CATALOG_CHECKED_IN if kind == "catalog" else CHECKED_IN
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return build_catalog_schema() if kind == "catalog" else build_schema()
