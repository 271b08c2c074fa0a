"""The published schema and the pydantic model are one contract: prove they cannot drift."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from pydantic import ValidationError

from journeyctl.format.model import Journey
from journeyctl.format.schema import CHECKED_IN, EXAMPLE, build_schema, render_schema


def test_checked_in_schema_is_exactly_what_the_model_generates():
    assert CHECKED_IN.read_text(encoding="utf-8") == render_schema(), (
        "schemas/journey.schema.json is stale: regenerate it with "
        "`python -c 'from journeyctl.format.schema import render_schema; print(render_schema(), end=\"\")' > schemas/journey.schema.json`")


def test_schema_is_valid_draft_2020_12_with_id_and_examples():
    schema = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    for example in schema["examples"]:
        jsonschema.Draft202012Validator(schema).validate(example)


def _properties(schema):
    yield "Journey", schema["properties"]
    for name, definition in schema["$defs"].items():
        if "properties" in definition:
            yield name, definition["properties"]


def test_every_property_is_documented_and_objects_are_closed():
    schema = build_schema()
    for owner, properties in _properties(schema):
        for name, prop in properties.items():
            assert prop.get("description"), f"{owner}.{name} has no description"
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition.get("additionalProperties") is False, f"{name} accepts unknown keys"


def _mutations():
    """Documents that differ from a valid one in one place; both validators must agree on each."""
    def tp(doc):
        return doc["stages"][0]["touchpoints"][0]

    yield "valid", lambda d: None
    yield "version-true", lambda d: d.update(journeyctl=True)
    yield "version-2", lambda d: d.update(journeyctl=2)
    yield "status-bool", lambda d: d.update(status=False)
    yield "status-unknown", lambda d: d.update(status="archived")
    yield "title-number", lambda d: d.update(title=3.1)
    yield "reviewed-bad-date", lambda d: d.update(reviewed="2024-02-30")
    yield "reviewed-not-date", lambda d: d.update(reviewed="last week")
    yield "review-every-bad-unit", lambda d: d.update(review_every="6m")
    yield "unknown-key", lambda d: d.update(colour="red")
    yield "missing-title", lambda d: d.pop("title")
    yield "no-stages", lambda d: d.update(stages=[])
    yield "emotion-3", lambda d: tp(d).update(emotion=3)
    yield "emotion-float", lambda d: tp(d).update(emotion=1.5)
    yield "emotion-bool", lambda d: tp(d).update(emotion=True)
    yield "entry-string", lambda d: tp(d).update(entry="yes")
    yield "kind-unknown", lambda d: tp(d).update(kind="digital")
    yield "lane-null", lambda d: tp(d).update(lane=None)
    yield "rate-string", lambda d: tp(d)["next"][0].update(rate="2%")
    yield "rate-int", lambda d: tp(d)["next"][0].update(rate=1)
    yield "to-with-colon", lambda d: tp(d)["next"][0].update(to="a:b")
    yield "cross-journey-to", lambda d: tp(d)["next"][0].update(to="renewal/renewal-call")
    yield "handoff-extra", lambda d: tp(d)["next"][0].update(handoff={"sla": "24h", "owner": "x"})
    yield "sla-bad", lambda d: tp(d)["next"][0].update(handoff={"sla": "tomorrow"})
    yield "id-space", lambda d: d.update(id="my journey")
    yield "id-unicode", lambda d: d.update(id="реєстрація")
    yield "id-long", lambda d: d.update(id="a" * 129)
    yield "milestone-label", lambda d: tp(d).update(milestone="first purchase")
    yield "milestone-number", lambda d: tp(d).update(milestone=1)
    yield "url-javascript", lambda d: d.update(links=[{"title": "x", "url": "javascript:alert(1)"}])
    yield "url-https", lambda d: d.update(links=[{"title": "x", "url": "https://example.com/a"}])
    yield "at-day", lambda d: tp(d).update(at="day 30")
    yield "at-week", lambda d: tp(d).update(at="week 3")
    yield "personas-null", lambda d: tp(d).update(personas=None)
    yield "target-int", lambda d: d["metrics"][0].update(target=3)
    yield "direction-sideways", lambda d: d["metrics"][0].update(direction="sideways")


@pytest.mark.parametrize("name, mutate", list(_mutations()), ids=[n for n, _ in _mutations()])
def test_model_and_schema_accept_and_reject_the_same_documents(name, mutate):
    doc = copy.deepcopy(EXAMPLE)
    mutate(doc)
    schema = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    schema_ok = validator.is_valid(doc)
    try:
        Journey.model_validate(doc)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert schema_ok == model_ok, f"{name}: schema says {schema_ok}, model says {model_ok}"
