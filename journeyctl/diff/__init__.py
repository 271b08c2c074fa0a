"""`journeyctl diff`: what a change does to the customer's journey, not to the YAML.

Two sides (git revisions, the working tree, or two files) are loaded into snapshots, journeys are
matched by id (so a moved file is a change, not a removal and an addition), and the comparison lists
semantic changes (stages, touchpoints, owners, hand-offs, SLAs, KPIs, funnel figures) and the findings
a change introduces and resolves. `sides` parses the arguments, `snapshot` reads a side, `compare` compares, `report` prints.
"""

from __future__ import annotations

from ..check.pipeline import UsageError


class DiffError(UsageError):
    """A side cannot be read: not a repository, an unknown revision, an ambiguous argument (exit 2)."""
