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
        try:
            from ..lsp.server import serve
        except ImportError as exc:  # pygls is a dependency; a broken install gets one message, no traceback
            from .common import fail

            raise fail(f"the language server needs pygls 2 and lsprotocol ({exc})")
        serve()
