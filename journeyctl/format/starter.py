"""The starter journey `journeyctl init` writes: small, commented, and clean under every default rule."""

from __future__ import annotations

import os
from pathlib import Path

_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A customer journey, as code. Check it with `journeyctl validate`, draw it with `journeyctl render`.
journeyctl: 1                      # format version
id: {id}
title: My first journey
owner: marketing                   # the team that owns this map (declared under teams)
status: draft                      # draft | active | retired
state: current                     # current (as-is) | future (to-be)
reviewed: "{today}"             # when the map was last checked against reality
review_every: 90d
objectives:
  - Turn first-time visitors into subscribers

personas:                          # whose shoes we walk in
  - id: first-timer
    name: First-time visitor
    goals: [Understand what the product does]

teams:                             # who is responsible for touchpoints
  - {{id: marketing, name: Marketing}}
  - {{id: customer-success, name: Customer Success}}

channels:
  - {{id: web, name: Website}}
  - {{id: email, name: Email}}

metrics:                           # KPIs with targets
  - {{id: signup-rate, name: Sign-up rate, unit: "%", target: 5, direction: up}}
  - {{id: activation-rate, name: Activation rate, unit: "%", target: 40, direction: up}}

stages:                            # ordered, left to right
  - id: awareness
    name: Awareness
    goal: Visitors learn what we solve
    kpis: [signup-rate]
    customer: {{does: Reads a blog post, thinks: "Could this help me?", feels: Curious}}
    touchpoints:
      - id: blog-post
        name: Blog post
        kind: external             # peripheral | external | internal
        channel: web
        owner: marketing
        personas: [first-timer]
        entry: true                # customers start here
        emotion: 1                 # -2 .. +2
        next:
          - to: welcome-email
            when: signs up
            rate: 0.05             # share of customers taking this transition
            handoff: {{trigger: sign-up form submitted, sla: 1h, via: marketing automation}}

  - id: onboarding
    name: Onboarding
    goal: New subscribers reach first value
    kpis: [activation-rate]
    touchpoints:
      - id: welcome-email
        name: Welcome email
        kind: external
        channel: email
        owner: customer-success
        personas: [first-timer]
        at: day 0                  # relative to the customer's day 0
        outcome: converted         # converted | retained | advocate | churned | dropped
"""


SCHEMA_URL = "https://journeyctl.dev/schemas/journey.schema.json"
# Where a repository keeps the schema for editors (`journeyctl schema -o ...`), nearest first.
SCHEMA_PLACES = ("journey.schema.json", "schemas/journey.schema.json", ".journeyctl/journey.schema.json")
# What marks the top of a workspace: the search for a schema never climbs past it.
ROOT_MARKERS = (".journeyctl.yaml", ".git", ".hg")


def starter_journey(journey_id: str, directory: Path | None = None) -> str:
    """The starter text; its modeline points at a schema file found beside or above `directory` (editors
    resolve a relative path offline), else at the schema's published id."""
    return starter_text(journey_id, schema_reference(directory))


def starter_text(journey_id: str, schema: str) -> str:
    # The same "today" as the rules (JOURNEYCTL_TODAY pins it): a starter is never reviewed in the future.
    from ..clock import today

    return _TEMPLATE.format(id=journey_id, today=today().isoformat(), schema=schema)


def workspace_root(directory: Path) -> Path:
    """The nearest folder at or above `directory` with a .journeyctl.yaml or a repository (.git), else
    `directory` itself: a starter must not point at files outside the project it is written into."""
    start = directory.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return start


def find_schema(directory: Path) -> Path | None:
    """A journey schema kept at or above `directory`, up to the workspace root (never beyond it)."""
    start = directory.resolve()
    root = workspace_root(directory)
    for folder in (start, *start.parents):
        for place in SCHEMA_PLACES:
            if (folder / place).is_file():
                return folder / place
        if folder == root:
            break
    return None


def relative(schema: Path, directory: Path) -> str:
    return Path(os.path.relpath(schema, directory.resolve())).as_posix()


def schema_reference(directory: Path | None) -> str:
    """The modeline target for a journey in `directory`: a schema file found for it, else the published id."""
    if directory is None:
        return SCHEMA_URL
    found = find_schema(directory)
    return relative(found, directory) if found is not None else SCHEMA_URL


def plan_schema(directory: Path) -> tuple[str, Path | None]:
    """(modeline target, schema file to save or None): a schema found up to the workspace root, else one to
    save at that root, so the modeline always resolves offline, the first time."""
    found = find_schema(directory)
    if found is not None:
        return relative(found, directory), None
    target = workspace_root(directory) / SCHEMA_PLACES[0]
    return relative(target, directory), target
