"""The typed journey model: the single source of truth for format v1.

`schemas/journey.schema.json` is generated from these classes (`journeyctl.format.schema.build_schema`) and a
test proves the checked-in file matches, so the published contract and the code cannot drift.
Every model is strict (a string field accepts only a string, as JSON Schema does) and forbids unknown
keys, so a typo is caught rather than silently ignored.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Iterator, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from ..check.findings import Hit

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$"
DURATION_PATTERN = r"^[0-9]+(\.[0-9]+)?(min|h|d|w)$"
DAY_PATTERN = r"^day -?[0-9]{1,5}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _real_date(value: str) -> str:
    # The pattern admits 2024-02-30; JSON Schema's "format: date" does not, and neither may we.
    from datetime import date

    date.fromisoformat(value)
    return value


def _json_integer(value: Any) -> Any:
    # JSON Schema's "integer" is any number with no fractional part (1.0 is an integer there), and the
    # published schema is what editors and CI check: the model must agree.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Emotion = Annotated[int, Field(ge=-2, le=2), BeforeValidator(_json_integer)]
Version = Annotated[int, Field(ge=1, le=1, json_schema_extra={"const": 1}), BeforeValidator(_json_integer)]

Date = Annotated[str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}), AfterValidator(_real_date)]
# No backslash before the quote: ECMAScript's unicode-mode regexes (editors, JS validators) reject `\"`.
URL_PATTERN = r'^https?://[^\s<>"]+$'

# Ids and references are interned: the rules look ids up in dicts and sets keyed by other ids, and an
# interned key matches by identity, without reading the other string (on a 5,000-touchpoint journey
# those strings no longer sit in the CPU cache, and the comparisons made the rules superlinear).
Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=128,
                          description="A slug: letters, digits, '-', '_' or '.', starting with a letter or digit."),
               AfterValidator(sys.intern)]
Ref = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=128,
                           description="The id of something declared elsewhere in the journey or a shared catalog."),
                AfterValidator(sys.intern)]
Text = Annotated[str, Field(max_length=4000)]
Duration = Annotated[str, Field(pattern=DURATION_PATTERN,
                                description="A duration: a number and a unit, min (minutes), h, d or w, e.g. 30min, 24h, 90d, 2w.")]

TouchpointKind = Literal["peripheral", "external", "internal"]
Lane = Literal["frontstage", "backstage", "support"]
Outcome = Literal["converted", "retained", "advocate", "churned", "dropped"]
Status = Literal["draft", "active", "retired"]
State = Literal["current", "future"]
Direction = Literal["up", "down"]

CONVERTING_OUTCOMES = frozenset({"converted", "retained", "advocate"})

# Path of a value inside the YAML document: keys and list indices from the root.
Path = tuple[str | int, ...]


class Node(BaseModel):
    """Base of every model object: strict, closed, and aware of where it sits in the document."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=False, populate_by_name=False)
    _path: Path = PrivateAttr(default=())

    @property
    def path(self) -> Path:
        return self._path

    def path_of(self, *keys: str | int) -> Path:
        """The document path of one of this object's keys, for a finding that points at a field."""
        return self._path + keys

    def finding(self, message: str, *keys: str | int, on_key: bool = False) -> Hit:
        """A finding about this object (or one of its keys); the engine fills rule, file and line."""
        return Hit(self._path + keys, message, on_key)


class Named(Node):
    id: Id = Field(description="Stable identifier, referenced from elsewhere; unique among its kind.")
    name: Text | None = Field(default=None, description="Human-readable name shown in diagrams and docs.")
    description: Text | None = Field(default=None, description="Free text: what this is and why it matters.")

    @property
    def label(self) -> str:
        return self.name or self.id


class Persona(Named):
    """A fictional representative customer: role, goals, needs and pain points."""

    role: Text | None = Field(default=None, description="The persona's job or situation.")
    goals: list[Text] = Field(default_factory=list, description="What this persona wants to achieve.")
    needs: list[Text] = Field(default_factory=list, description="What this persona needs from the brand.")
    pain_points: list[Text] = Field(default_factory=list, description="What frustrates this persona today.")


class Team(Named):
    """A department responsible for touchpoints: marketing, sales, customer success, support."""


class Channel(Named):
    """A medium of interaction: web, email, phone, social, in-app, store, chat, event."""


class Metric(Named):
    """A measurable goal (KPI): opens, clicks, conversions, response time, NPS, churn."""

    unit: Text | None = Field(default=None, description="Unit of the metric, e.g. '%', 'min', 'NPS'.")
    target: float | None = Field(default=None, description="The value the team aims for.")
    direction: Direction | None = Field(default=None, description="Whether higher (up) or lower (down) is better.")


class CustomerView(Node):
    """The customer row of a service blueprint: what they do, think and feel in a stage."""

    does: Text | None = Field(default=None, description="What the customer does in this stage.")
    thinks: Text | None = Field(default=None, description="What the customer thinks in this stage.")
    feels: Text | None = Field(default=None, description="What the customer feels in this stage.")


class Evidence(Node):
    """Where a claim comes from (survey, analytics, interviews), so a map is not built on assumptions."""

    source: Text = Field(description="Where the claim comes from: survey, analytics, interviews, support tickets...")
    ref: Text | None = Field(default=None, description="Which study, report or dashboard.")
    url: Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)] | None = Field(
        default=None, description="An http(s) link to the evidence.")


class Handoff(Node):
    """The explicit passing of the customer from one team to another."""

    trigger: Text | None = Field(default=None, description="The event that passes the customer on, e.g. 'contract signed'.")
    sla: Duration | None = Field(default=None, description="How fast the receiving team must respond, e.g. 24h.")
    via: Text | None = Field(default=None, description="The system or ritual carrying the hand-off: CRM, ticket, meeting.")


class Transition(Node):
    """Where the customer may go next from a touchpoint."""

    to: Annotated[str, Field(pattern=REF_PATTERN, min_length=1, max_length=257), AfterValidator(sys.intern)] = Field(
        description="The touchpoint the customer goes to next: a touchpoint id, or 'journey-id/touchpoint-id' "
                    "to continue in another journey of the workspace.")
    when: Text | None = Field(default=None, description="The condition or customer action that leads there.")
    rate: float | None = Field(default=None, description="Share (0..1) of the customers at this touchpoint who take this transition.")
    wait: Duration | None = Field(default=None, description="Typical time before the next touchpoint, e.g. 3d.")
    handoff: Handoff | None = Field(default=None, description="Declared when the transition passes the customer between teams.")

    @property
    def journey(self) -> str | None:
        """The target journey of a cross-journey transition, None for a local one."""
        return self.to.split("/", 1)[0] if "/" in self.to else None

    @property
    def target(self) -> str:
        # The interned `to` itself when local: no new string to hash and compare on every lookup.
        return self.to.rsplit("/", 1)[-1] if "/" in self.to else self.to


class Touchpoint(Named):
    """One interaction between the customer and the brand: an ad, a form, an email, a call, a visit."""

    kind: TouchpointKind | None = Field(default=None, description="peripheral (seen in public, a referral), external (website, store, social) or internal (customer service, internal processes).")
    lane: Lane = Field(default="frontstage", description="Service-blueprint lane: frontstage (seen by the customer), backstage (internal work behind it) or support (systems and partners).")
    channel: Ref | None = Field(default=None, description="The channel (declared in 'channels') of this touchpoint.")
    owner: Ref | None = Field(default=None, description="The team (declared in 'teams') responsible for this touchpoint.")
    personas: list[Ref] = Field(default_factory=list, description="The personas (declared in 'personas') this touchpoint serves.")
    entry: bool = Field(default=False, description="True where customers start the journey.")
    share: float | None = Field(default=None, description="For an entry: the share (0..1) of customers starting here; shares of all entries sum to 1.")
    outcome: Outcome | None = Field(default=None, description="How the journey ends at this touchpoint: converted, retained, advocate, churned or dropped.")
    milestone: bool | Text = Field(default=False, description="A point that marks progress or changes the customer's path: true, or a short label.")
    moment_of_truth: bool = Field(default=False, description="A point where the customer decides to stay or leave.")
    emotion: Emotion | None = Field(default=None, description="How the customer feels here, from -2 (very negative) to +2 (very positive).")
    pain_points: list[Text] = Field(default_factory=list, description="What goes wrong for the customer here.")
    opportunities: list[Text] = Field(default_factory=list, description="What the team plans to do about the pain points.")
    kpis: list[Ref] = Field(default_factory=list, description="Metrics (declared in 'metrics') measured at this touchpoint.")
    evidence: list[Evidence] = Field(default_factory=list, description="Where the claims about this touchpoint come from.")
    at: Annotated[str, Field(pattern=DAY_PATTERN)] | None = Field(default=None, description="When this happens relative to the customer's day 0, e.g. 'day 3'.")
    events: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(default_factory=list, description="Event names in analytics logs that mean a customer met this touchpoint; default: its id.")
    next: list[Transition] = Field(default_factory=list, description="Where the customer may go next; journeys branch and loop.")

    @property
    def day(self) -> int | None:
        return int(self.at.split()[1]) if self.at else None

    @property
    def event_names(self) -> list[str]:
        return self.events or [self.id]


class Stage(Named):
    """A phase of the journey (awareness, consideration, purchase, retention, advocacy...)."""

    goal: Text | None = Field(default=None, description="What this stage must achieve for the customer and the business.")
    kpis: list[Ref] = Field(default_factory=list, description="Metrics (declared in 'metrics') that measure this stage.")
    customer: CustomerView | None = Field(default=None, description="What the customer does, thinks and feels in this stage.")
    emotion: Emotion | None = Field(default=None, description="The customer's overall feeling in this stage, -2..+2.")
    touchpoints: list[Touchpoint] = Field(default_factory=list, description="The interactions of this stage, in order.")


class Link(Node):
    """A related document."""

    title: Text = Field(description="What the link points to.")
    url: Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)] = Field(description="An http(s) address.")


class Journey(Node):
    """One end-to-end path a customer takes with the brand."""

    # An int with bounds, not Literal[1]: pydantic's Literal accepts True == 1, JSON Schema does not.
    journeyctl: Version = Field(
        description="Format version of this file; must be 1.")
    id: Id = Field(description="Slug identifying the journey, unique in a repository.")
    title: Text = Field(description="Human-readable title.")
    description: Text | None = Field(default=None, description="What the journey covers.")
    owner: Ref | None = Field(default=None, description="The team (declared in 'teams') that owns the journey map.")
    status: Status = Field(default="draft", description="draft, active or retired.")
    state: State = Field(default="current", description="current (as-is) or future (to-be) map.")
    reviewed: Date | None = Field(default=None, description="Date (YYYY-MM-DD) the map was last checked against reality.")
    review_every: Duration | None = Field(default=None, description="How often the map must be reviewed, e.g. 90d.")
    objectives: list[Text] = Field(default_factory=list, description="Why this journey is mapped: the pain to fix, the engagement or revenue to raise.")
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, description="Free labels for grouping journeys.")
    links: list[Link] = Field(default_factory=list, description="Related documents (http or https).")
    personas: list[Persona] = Field(default_factory=list, description="Representative customers this journey is mapped for.")
    teams: list[Team] = Field(default_factory=list, description="Teams that own touchpoints.")
    channels: list[Channel] = Field(default_factory=list, description="Channels touchpoints use.")
    metrics: list[Metric] = Field(default_factory=list, description="KPIs referenced by stages and touchpoints.")
    stages: list[Stage] = Field(min_length=1, description="The phases of the journey, in order.")

    @model_validator(mode="after")
    def _assign_paths(self) -> "Journey":
        # Positions travel with the model: each object learns its document path once, here, so a rule
        # can point at any object without searching the YAML.
        for key in ("personas", "teams", "channels", "metrics", "links"):
            for i, item in enumerate(getattr(self, key)):
                item._path = (key, i)
        for s, stage in enumerate(self.stages):
            stage._path = ("stages", s)
            if stage.customer is not None:
                stage.customer._path = ("stages", s, "customer")
            for t, tp in enumerate(stage.touchpoints):
                tp._path = ("stages", s, "touchpoints", t)
                for e, ev in enumerate(tp.evidence):
                    ev._path = tp._path + ("evidence", e)
                for n, tr in enumerate(tp.next):
                    tr._path = tp._path + ("next", n)
                    if tr.handoff is not None:
                        tr.handoff._path = tr._path + ("handoff",)
        return self

    def touchpoints(self) -> Iterator[tuple[Stage, Touchpoint]]:
        for stage in self.stages:
            for tp in stage.touchpoints:
                yield stage, tp

    def touchpoint_index(self) -> dict[str, Touchpoint]:
        """Touchpoints by id; the first wins when ids repeat (duplicate-id reports the rest)."""
        index: dict[str, Touchpoint] = {}
        for _, tp in self.touchpoints():
            index.setdefault(tp.id, tp)
        return index

    def stage_of(self) -> dict[str, Stage]:
        index: dict[str, Stage] = {}
        for stage, tp in self.touchpoints():
            index.setdefault(tp.id, stage)
        return index


def journey_from_data(data: Any) -> Journey:
    """Validate plain data into a Journey (raises pydantic.ValidationError)."""
    return Journey.model_validate(data)


class Catalog(Node):
    """Shared definitions for a workspace: declared once, used by many journeys (`*.catalog.yaml`)."""

    journeyctl: Version = Field(
        description="Format version of this file; must be 1.")
    title: Text | None = Field(default=None, description="What this catalog holds, e.g. 'Company-wide teams and personas'.")
    description: Text | None = Field(default=None, description="Free text.")
    personas: list[Persona] = Field(default_factory=list, description="Representative customers shared by journeys.")
    teams: list[Team] = Field(default_factory=list, description="Teams shared by journeys.")
    channels: list[Channel] = Field(default_factory=list, description="Channels shared by journeys.")
    metrics: list[Metric] = Field(default_factory=list, description="KPIs shared by journeys.")

    @model_validator(mode="after")
    def _assign_paths(self) -> "Catalog":
        for key in CATALOG_KINDS:
            for i, item in enumerate(getattr(self, key)):
                item._path = (key, i)
        return self


CATALOG_KINDS = ("personas", "teams", "channels", "metrics")
