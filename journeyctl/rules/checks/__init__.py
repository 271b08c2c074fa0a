"""The gap rules, one module per theme; importing this package registers them all."""

from . import structure  # noqa: F401
