"""Formats other tools speak: spreadsheets and Mermaid (import/export), BPMN 2.0 and XES (process mining).

Each format is one module exposing what `commands/export.py` and `commands/import_.py` call; none of them
is imported until its command runs.
"""
