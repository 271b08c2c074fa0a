"""CLI commands beyond validate: each module exposes register(app)."""
