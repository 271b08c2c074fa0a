"""One or two real examples per command, shown at the end of its --help.

Kept in one table so every command has them and the suite can run each one on examples/ (an example that
stops working is a failing test, not a stale help page).
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "validate": ("journeyctl validate examples/",
                 "journeyctl validate examples/ -f sarif -o journeyctl.sarif"),
    "render": ("journeyctl render examples/support-renewal.journey.yaml -o renewal.svg",
               "journeyctl render examples/ -o pictures/ --view map --view blueprint"),
    "funnel": ("journeyctl funnel examples/b2b-lead-to-customer.journey.yaml",
               "journeyctl funnel examples/b2b-lead-to-customer.journey.yaml -f md"),
    "conform": ("journeyctl conform examples/b2b-lead-to-customer.journey.yaml events.csv",
                "journeyctl conform examples/b2b-lead-to-customer.journey.yaml events.csv --emit-sql bigquery"),
    "diff": ("journeyctl diff main HEAD examples/",
             "journeyctl diff main -f md -o review.md --fail-on-new error"),
    "stats": ("journeyctl stats examples/",
              "journeyctl stats examples/ -f md -o stats.md"),
    "docs": ("journeyctl docs examples/ -o site/",),
    "export": ("journeyctl export examples/support-renewal.journey.yaml -f xlsx -o renewal.xlsx",
               "journeyctl export examples/support-renewal.journey.yaml -f bpmn -o renewal.bpmn"),
    "import": ("journeyctl import renewal.xlsx -o journeys/",
               "journeyctl import README.md -o journeys/"),
    "fix": ("journeyctl fix examples/ --diff",
            "journeyctl fix journeys/ --unsafe"),
    "lsp": ("journeyctl lsp    # started by your editor; see docs/editors.md",),
    "schema": ("journeyctl schema -o journey.schema.json",),
    "init": ("journeyctl init journeys --id signup",),
    "rules": ("journeyctl rules",),
    "explain": ("journeyctl explain missing-handoff",),
}


def epilog(command: str) -> str | None:
    """The --help epilog of a command: its examples, one per line."""
    lines = EXAMPLES.get(command)
    if not lines:
        return None
    return "Examples:\n\n" + "\n\n".join(f"  $ {line}" for line in lines)
