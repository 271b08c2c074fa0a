"""journeyctl's language server (`journeyctl lsp`): imported only when that command runs."""
