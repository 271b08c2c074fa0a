"""`journeyctl explain RULE`: why a rule matters, with a failing and a passing example."""

from __future__ import annotations

import sys

import typer

from .common import fail


def register(app: typer.Typer) -> None:
    @app.command()
    def explain(rule_id: str = typer.Argument(..., help="A rule id, as shown by 'journeyctl rules'.")) -> None:
        """Explain a rule: why it matters, and a failing and a passing example."""
        from ..rules.catalog import all_rules

        rules = all_rules()
        if rule_id not in rules:
            from ..suggest import closest

            hint = closest(rule_id, rules)
            raise fail(f"unknown rule '{rule_id}'" + (f" (did you mean '{hint}'?)" if hint else "") +
                       "; see 'journeyctl rules'")
        r = rules[rule_id]
        default = r.severity + ("" if r.enabled else ", off by default")
        sys.stdout.write(f"{r.id} ({default})\n{r.summary}\n\n{r.doc}\n")
