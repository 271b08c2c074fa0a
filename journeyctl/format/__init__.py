"""The journey format: YAML text → positioned data → schema check → pydantic model.

- `loader.load_document(path)`: safe, positioned YAML (YAML 1.2 meaning; `yaml12` says where 1.1 differs).
- `model.Journey`, `model.Catalog`: the format as pydantic models, the single source of truth.
- `schema.journey_schema()`, `schema.render_schema()`: the published JSON Schema, generated from the models.
- `schema_errors`: schema faults as plain messages at the mistake; `starter`: what `journeyctl init` writes.

A YAML problem (syntax, encoding, tags, depth, ambiguous scalars) is found here.
"""
