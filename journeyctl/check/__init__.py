"""The checking engine: files → findings, as `journeyctl validate` runs it.

- `discovery`: which files a run reads; `run.run_checks(paths, config)`: the run, with the pool and the cache.
- `pipeline.check_paths`, `pipeline.check_document`, `pipeline.validate_document`: one file's schema check,
  model and gap rules; `salvage`: the model rebuilt around schema faults so the rules still run.
- `workspace`, `workspace_groups`: catalogs, cross-journey links and the cross-file pass.
- `findings.Finding`; `identity.identity_of`: what a finding is about, stable across edits; `suppress`: inline
  suppressions; `baseline`: adopt on an old repository.
- `cache`: results keyed by content (a cache miss is decided in `cache.run_fingerprint`); `replay`: a whole
  unchanged run answered before the CLI loads; `live`: the same checks on unsaved editor text.
"""
