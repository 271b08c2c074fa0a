"""Names for the ids a journey references, from the journey itself and the workspace's catalogs.

A touchpoint may be owned by a team declared in a shared `*.catalog.yaml` rather than in its own
file; the diagrams still show "Customer success", not "customer-success". The journey's own
declarations win, as they do for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..format.model import Catalog, Channel, Journey, Metric, Persona, Team


@dataclass(frozen=True)
class Definitions:
    teams: dict[str, Team] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)

    def team_name(self, team_id: str) -> str:
        team = self.teams.get(team_id)
        return team.label if team else team_id

    def channel_name(self, channel_id: str) -> str:
        channel = self.channels.get(channel_id)
        return channel.label if channel else channel_id


def definitions(journey: Journey, catalogs: Iterable[Catalog] = ()) -> Definitions:
    found = Definitions()
    for source in (journey, *catalogs):
        for kind in ("teams", "channels", "personas", "metrics"):
            table = getattr(found, kind)
            for item in getattr(source, kind):
                table.setdefault(item.id, item)
    return found
