"""`journeyctl rules`: every rule with its id, default severity and one line."""

from __future__ import annotations

import sys

import typer

from .common import fail


def register(app: typer.Typer) -> None:
    @app.command("rules")
    def list_rules(fmt: str = typer.Option("text", "--format", "-f", help="text or json.")) -> None:
        """List every rule: id, default severity, one line."""
        from ..rules.catalog import all_rules

        rules = all_rules().values()
        if fmt == "json":
            import json

            sys.stdout.write(json.dumps([{"id": r.id, "severity": r.severity, "enabled": r.enabled,
                                          "summary": r.summary} for r in rules], indent=2) + "\n")
            return
        if fmt != "text":
            raise fail(f"unknown format '{fmt}' (text or json)")
        width = max(len(r.id) for r in rules)
        for r in rules:
            note = "" if r.enabled else " (off by default)"
            sys.stdout.write(f"{r.id:<{width}}  {r.severity:<7}  {r.summary}{note}\n")
