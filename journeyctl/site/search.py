"""What the index's search box searches: every name, goal, pain point, opportunity and id of a journey.

The site must work from file:// with no server and no network, so the search is the index page's own
filter script matching words against each row's `data-search` text, built here. Issue 18: `?q=webinar`
found nothing although a touchpoint is a webinar, because only the title, id, owner and tags were there.
The text is capped per journey, so the index of a thousand large journeys stays a page, not a download.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..format.model import Journey

MAX_CHARS = 20_000


def owner_name(journey: Journey, catalogs: Sequence[Any] = ()) -> str:
    """The owning team's name (declared in the journey or a shared catalog), else its id."""
    if not journey.owner:
        return ""
    from ..render.definitions import definitions

    return definitions(journey, catalogs).team_name(journey.owner)


def search_text(journey: Journey, catalogs: Sequence[Any] = ()) -> str:
    """Words of the journey a reader may look for, space separated, at most MAX_CHARS."""
    from ..render.definitions import definitions

    defs = definitions(journey, catalogs)
    parts: list[str] = [journey.description or "", *journey.objectives]
    for persona in journey.personas:
        parts += [persona.id, persona.label, *persona.goals, *persona.needs, *persona.pain_points]
    for stage in journey.stages:
        parts += [stage.id, stage.label, stage.goal or ""]
        for tp in stage.touchpoints:
            parts += [tp.id, tp.label, tp.description or "", *tp.pain_points, *tp.opportunities]
            if tp.channel:
                parts += [tp.channel, defs.channel_name(tp.channel)]
            if tp.owner:
                parts += [tp.owner, defs.team_name(tp.owner)]
    return _join(parts)


def _join(parts: Iterable[object]) -> str:
    out: list[str] = []
    size = 0
    for part in parts:
        text = " ".join(str(part).split())
        if not text:
            continue
        if size + len(text) + 1 > MAX_CHARS:
            break
        out.append(text)
        size += len(text) + 1
    return " ".join(out)
