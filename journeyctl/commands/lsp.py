"""`journeyctl lsp`: the language server over stdio (pygls is imported only here, when it runs)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("lsp")
    def lsp(
        stdio: bool = typer.Option(True, "--stdio", help="Talk over stdin/stdout (the only transport; "
                                   "accepted because editors pass it)."),
    ) -> None:
        """Run the journeyctl language server (diagnostics, completion, navigation, rename, fixes)."""
        from ..lsp.server import serve

        serve()
