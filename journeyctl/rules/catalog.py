"""Every rule, imported once: the registry is complete after `all_rules()`."""

from __future__ import annotations

from functools import lru_cache

from . import RULES, Rule, pipeline_rule

_PIPELINE = [
    ("yaml-syntax", "error", "the file is not readable YAML (syntax, encoding, nesting, aliases, documents)",
     "The file could not be parsed as one YAML document of UTF-8 text.\n\nThe message says what the parser met and "
     "where: a syntax error, a tab in indentation, bytes that are not UTF-8, more than one document, nesting deeper "
     "than a journey ever needs, or aliases that would expand to millions of values."),
    ("yaml-value", "error", "a value YAML cannot represent safely (bad tag, huge or non-finite number)",
     "journeyctl loads plain data only: strings, numbers, booleans, lists and mappings.\n\nObject tags such as "
     "!!python/object are refused, as are explicit tags whose text does not fit them (!!bool maybe), integers of more "
     "than 100 digits and .nan or .inf."),
    ("yaml-ambiguous", "error", "a plain value that YAML 1.1 and YAML 1.2 read differently (yes, no, on, 010, 1:20...)",
     "journeyctl reads YAML 1.2 (as editors and check-jsonschema do); YAML 1.1 tools read some unquoted values "
     "differently: `yes`, `no`, `on`, `off`, `y`, `n` are booleans there, `010` is 8, `1:20` is 80, `1_000` is "
     "1000, `0o10` and `1e3` are text.\n\nAn error where the field is not text (a boolean or a number: the reading "
     "decides the value), a warning in a text field. The message says what each reader sees and ends with "
     "`write <replacement>`: the spelling every reader reads the same way (quoted text, true, 8...). "
     "See docs/yaml.md."),
    ("duplicate-key", "error", "a key appears twice in one mapping",
     "YAML keeps only one value of a repeated key, so one of the two was silently lost.\n\nThe message names the line "
     "of the first definition; remove or rename one of them."),
    ("schema", "error", "the journey does not follow the published schema",
     "The file breaks schemas/journey.schema.json: a missing or unknown key, a wrong type, a value outside its "
     "vocabulary.\n\nEditors that read the modeline `# yaml-language-server: $schema=...` show these as you type."),
    ("file-error", "error", "the file cannot be read (permissions, size, vanished)",
     "The file exists but could not be read, or is larger than `max_file_size`."),
    ("journey-link-not-entry", "error", "a transition into another journey lands on a touchpoint that is not an entry",
     "A transition may continue in another journey of the workspace (`to: renewal/renewal-call`).\n\n"
     "It must land on an entry touchpoint of that journey: entering in the middle skips the steps that journey's "
     "owners designed for arrivals, and their funnel never counts the customer. Point the transition at one of "
     "the target journey's entries, or mark the target touchpoint `entry: true`.\n\n"
     "Fails:\n    next:\n      - to: support-renewal/renewal-call   # not an entry of support-renewal\n"
     "Passes:\n    next:\n      - to: support-renewal/support-ticket # entry: true in support-renewal"),
    ("persona-without-journey", "warning", "a catalog persona that no journey serves",
     "A persona declared in a shared catalog that no touchpoint of any journey serves.\n\n"
     "Either a journey for this customer is missing (the gap to fix), or the persona is obsolete and should go. "
     "Reported on the catalog file, and only when the whole workspace is known."),
    ("unused-suppression", "info", "an inline suppression that suppresses nothing",
     "A `# journeyctl: disable=...` comment whose rule reported nothing on that line (or an unknown rule id).\n\n"
     "Suppressions are decisions a reviewer should revisit; one that no longer does anything should go."),
    ("stale-baseline", "info", "a baseline entry whose finding no longer occurs",
     "`journeyctl validate --baseline FILE` accepts the findings recorded in FILE; an entry whose finding is "
     "gone (fixed, or its element removed) is reported here, on the baseline's line.\n\nRemove the entry, or "
     "rewrite the baseline with `--write-baseline FILE`, so the baseline only shrinks and a fixed problem cannot "
     "come back unnoticed."),
]


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    for rule_id, severity, summary, doc in _PIPELINE:
        pipeline_rule(rule_id, severity, summary, doc)
    from . import checks  # noqa: F401  (registers the gap rules)

    return dict(sorted(RULES.items()))
