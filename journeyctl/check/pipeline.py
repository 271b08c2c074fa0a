"""The checking pipeline: path → document → schema → model → rules → findings.

Nothing here knows about terminals or exit codes; the CLI and every other command build on these
functions, and so do the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..config import Config
from .discovery import SKIP_DIRS, UsageError, discover, workspace_files
from .files import display_path, document_from_bytes, name_is_utf8, read_document  # noqa: F401 (re-exported)
from .findings import Finding, format_path, severity_rank
from ..format.loader import Document
from ..format.model import Journey
from ..rules import RuleContext

if TYPE_CHECKING:  # annotations only: keep start-up imports minimal
    from ..rules import Workspace
    from .suppress import Suppression
    from .workspace import JourneySummary

@dataclass(slots=True)
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    journey_id: str | None = None


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return counts


def effective_severities(config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> dict[str, str]:
    """Rule id → severity for every rule that runs; rules switched off are absent."""
    from ..rules.catalog import all_rules

    rules = all_rules()
    selected = set(select)
    out: dict[str, str] = {}
    for rule in rules.values():
        level = config.severities.get(rule.id)
        if level in (None, "on"):
            level = rule.severity if (rule.enabled or level == "on" or rule.id in selected) else "off"
        if selected and rule.id not in selected and rule.check is not None:
            level = "off"
        if rule.id in set(ignore):
            level = "off"
        if level != "off":
            out[rule.id] = level
    return out


def _context(config: Config) -> RuleContext:
    from ..clock import today

    return RuleContext(required_stages=config.required_stages, review_every=config.review_every, today=today())


def validate_document(doc: Document, display: str, salvage: bool = False) -> tuple[Journey | None, list[Finding]]:
    """Schema-check a loaded document and build the model; findings for whatever is wrong.

    With `salvage`, a document with schema faults still yields a model repaired around them (see
    salvage.py), so the gap rules report on the rest of the file in the same run instead of one round
    of fixes later.
    """
    journey, findings, _ = _validate(doc, display, salvage)
    return journey, findings


def _validate(doc: Document, display: str, salvage: bool = False) -> tuple[Journey | None, list[Finding], list]:
    """validate_document, and the places the salvage changed (their rule findings are consequences)."""
    from pydantic import ValidationError

    from ..format.model import Journey

    findings = [Finding(p.rule, "error", display, p.line, p.column, p.message, format_path(p.path))
                for p in doc.problems]
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else "a single value"
        findings.append(Finding("schema", "error", display, 1, 1,
                                f"a journey file must be a mapping of keys (journeyctl, id, title, stages...), not {kind}"))
        return None, findings, []
    explained: set[str] = set()  # where YAML 1.1 vs 1.2 is the cause, yaml-ambiguous says it all
    if doc.ambiguous:
        from ..format.yaml12 import ambiguity_findings

        ambiguous, explained = ambiguity_findings(doc, display)
        findings += ambiguous
    bad_paths = {p.path for p in doc.problems if p.rule == "yaml-value"}
    try:
        journey = Journey.model_validate(doc.data)
    except ValidationError as exc:
        from ..format.schema_errors import schema_findings

        reported = schema_findings(doc, display, bad_paths)
        schema = [f for f in reported if f.path not in explained]
        if not reported and not bad_paths:  # the model is stricter than the schema somewhere: say so anyway
            for err in exc.errors():
                path = tuple(p for p in err["loc"])
                line, col = doc.locate(path)
                schema.append(Finding("schema", "error", display, line, col,
                                      f"{format_path(path) or 'the journey'}: {err['msg']}", format_path(path)))
        if not salvage or bad_paths:
            return None, findings + schema, []
        from .salvage import salvage as repair

        journey, taints = repair(doc.data)
        return journey, findings + schema, taints
    if bad_paths:
        return None, findings, []
    return journey, findings, []


def load_model(path: Path, config: Config | None = None) -> tuple[Journey | None, list[Finding]]:
    """A journey from a file, or None with the findings that explain why not (syntax, schema)."""
    config = config or Config()
    doc, findings = read_document(path, config)
    if doc is None:
        return None, findings
    journey, findings = validate_document(doc, display_path(path))
    return journey, findings


def run_rules(journey: Journey, doc: Document, display: str, severities: dict[str, str],
              context: RuleContext) -> list[Finding]:
    from ..rules import memo
    from ..rules.catalog import all_rules

    memo.reset()
    out: list[Finding] = []
    for rule in all_rules().values():
        if rule.check is None or rule.id not in severities:
            continue
        for hit in rule.check(journey, context):
            line, column = doc.locate(hit.path, key=hit.on_key)
            out.append(Finding(rule.id, severities[rule.id], display, line, column, hit.message, format_path(hit.path)))
    return out


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression]) -> list[Finding]:
    """Drop suppressed findings, marking each suppression that was used."""
    if not suppressions:
        return findings
    kept: list[Finding] = []
    for finding in findings:
        matched = False
        for s in suppressions:
            if (s.target == 0 or s.target == finding.line) and (finding.rule in s.rules or "all" in s.rules):
                s.used.add(finding.rule)
                matched = True
        if not matched:
            kept.append(finding)
    return kept


def unused_suppressions(suppressions: list[Suppression], display: str, severities: dict[str, str],
                        defer: frozenset[str] = frozenset()) -> list[Finding]:
    """Suppressions that suppressed nothing; those of `defer` rules are judged later (cross-file pass)."""
    if "unused-suppression" not in severities:
        return []
    out = []
    for s in suppressions:
        for rule_id in s.rules:
            if rule_id in s.used or rule_id in defer or ("all" == rule_id and s.used):
                continue
            if rule_id != "all" and not _known(rule_id):
                from ..suggest import closest

                meant = closest(rule_id, _rule_ids() | {"all"})
                if meant:  # a misspelt rule id: the fix is the spelling, not removing the decision
                    out.append(Finding("unused-suppression", severities["unused-suppression"], display, s.line,
                                       s.column, f"suppression of '{rule_id}' names no rule (did you mean "
                                       f"'{meant}'?); fix or remove it"))
                    continue
                why = "unknown rule"
            elif rule_id == "all" or rule_id in severities:
                why = "nothing to suppress"
            else:
                continue  # the rule is switched off: the suppression cannot be judged
            out.append(Finding("unused-suppression", severities["unused-suppression"], display, s.line,
                               s.column, f"suppression of '{rule_id}' is unused ({why}); remove it"))
    return out


def _known(rule_id: str) -> bool:
    from ..rules.catalog import all_rules

    return rule_id in all_rules()


@dataclass(slots=True)
class FileOutcome:
    """One checked journey file: its result and what the cross-file pass needs (picklable, cacheable)."""

    result: FileResult
    summary: JourneySummary | None = None
    suppressions: list = field(default_factory=list)


def check_document(doc: Document | None, findings: list[Finding], display: str, config: Config,
                   severities: dict[str, str], workspace: Workspace | None = None,
                   defer: frozenset[str] = frozenset()) -> tuple[FileOutcome, Journey | None]:
    """Schema, rules and suppressions over a loaded document (None: `findings` say why it did not load).

    The one place a journey is checked: files on disk (check_journey_file) and blobs from git (diff) both
    come through here, so `diff` and `validate` cannot disagree.
    """
    from .suppress import parse_suppressions
    from .workspace import catalog_overlaps, summarize

    outcome = FileOutcome(FileResult(display))
    journey = None
    if doc is not None:
        model, findings, taints = _validate(doc, display, salvage=True)
        skipped: frozenset[str] = frozenset()
        if model is None and isinstance(doc.data, dict):
            skipped = _gap_rules()
            if not any(f.rule in ("yaml-syntax", "yaml-value") for f in findings) and skipped & set(severities):
                findings.append(Finding("schema", "info", display, 1, 1, "the gap rules did not run on this file: "
                                        "fix the errors above first (a journey needs 'stages', a list of stages)"))
        if model is not None:
            if not any(f.rule == "schema" for f in findings):
                journey = model  # a salvaged model serves the rules only: it is not compared, rendered, counted
                outcome.result.journey_id = model.id
            context = _context(config)
            context.workspace = workspace
            context.line_of = lambda path: doc.locate(path)[0]
            findings += run_rules(model, doc, display, severities, context)
            findings += [f for f in catalog_overlaps(model, doc.locate, display, workspace) if f.rule in severities]
            outcome.summary = summarize(model, doc.locate, display)
        suppressions = parse_suppressions(doc.text)
        findings = apply_suppressions(findings, suppressions)  # before dropping consequences: they were found
        if taints:
            from .salvage import consequences

            gap = _gap_rules()
            dropped = set(consequences([f for f in findings if f.rule in gap], taints))
            findings = [f for f in findings if f not in dropped]
        findings = _without_echoes(findings)
        findings += unused_suppressions(suppressions, display, severities, defer | skipped)
        outcome.suppressions = [s for s in suppressions if set(s.rules) & defer]
    from .identity import scope_of, stamp

    findings = stamp(findings, doc.data if doc is not None else None,
                     scope_of(doc.data if doc is not None else None, display))
    outcome.result.findings = sorted((f for f in findings if f.rule in severities or f.rule not in _rule_ids()),
                                     key=Finding.sort_key)
    return outcome, journey


def check_journey_file(path: Path, config: Config, severities: dict[str, str],
                       workspace: Workspace | None = None, defer: frozenset[str] = frozenset()) -> FileOutcome:
    """Load, schema-check and rule-check one journey file; never raises for bad input."""
    display = display_path(path)
    doc, findings = read_document(path, config)
    return check_document(doc, findings, display, config, severities, workspace, defer)[0]


def check_file(path: Path, config: Config, severities: dict[str, str] | None = None) -> FileResult:
    """All findings for one file on its own (no workspace): the building block for tools and tests."""
    severities = severities if severities is not None else effective_severities(config)
    from .workspace import is_catalog

    if is_catalog(path):
        return check_paths([path], config, severities=severities).files[0]
    return check_journey_file(path, config, severities).result


def _without_echoes(findings: list[Finding]) -> list[Finding]:
    """Drop "'web' is declared but unused" where a misspelt reference ('Web', did you mean 'web'?) is
    the reason: the root cause is reported, its echo on the definition would send the user the wrong way."""
    import re

    meant = {m for f in findings if f.rule == "unknown-reference"
             for m in re.findall(r"\(did you mean '([^']+)'\?\)", f.message)}
    if not meant:
        return findings
    return [f for f in findings if not (f.rule == "unused-definition" and
                                        re.search(r"'([^']+)'", f.message) and
                                        re.search(r"'([^']+)'", f.message)[1] in meant)]


def _gap_rules() -> frozenset[str]:
    """The rules that check a journey model (not the loading and schema stages)."""
    from ..rules.catalog import all_rules

    return frozenset(r.id for r in all_rules().values() if r.check is not None)


def _rule_ids() -> set[str]:
    from ..rules.catalog import all_rules

    return set(all_rules())


def check_paths(paths: Iterable[Path], config: Config, select: Iterable[str] = (), ignore: Iterable[str] = (),
                severities: dict[str, str] | None = None, mapper: Callable = map) -> RunResult:
    """Check the files named by `paths` against their workspace; `mapper` may parallelise or cache."""
    from functools import partial

    from .workspace import CROSS_FILE_RULES, is_catalog, load_catalogs, resolve

    paths = list(paths)
    checked = [display_path(f) for f in discover(paths, config)]
    scope = workspace_files(paths, config)
    severities = severities if severities is not None else effective_severities(config, select, ignore)
    workspace, entries, catalog_findings = load_catalogs([f for f in scope if is_catalog(f)], config)
    defer = frozenset(CROSS_FILE_RULES)
    one = partial(check_journey_file, config=config, severities=severities, workspace=workspace, defer=defer)
    wanted = set(checked)
    outcomes: dict[str, FileOutcome] = {}
    summaries = []
    for outcome in mapper(one, [f for f in scope if not is_catalog(f)]):
        if outcome.summary is not None:
            summaries.append(outcome.summary)
        if outcome.result.path in wanted:
            outcomes[outcome.result.path] = outcome
    cross = resolve(summaries, entries, severities)
    results = []
    for display in checked:
        if display in outcomes:
            outcome = outcomes[display]
            extra = apply_suppressions(cross.get(display, []), outcome.suppressions)
            extra += stamped(unused_suppressions(outcome.suppressions, display, severities), outcome.summary, display)
            outcome.result.findings = sorted(outcome.result.findings + extra, key=Finding.sort_key)
            results.append(outcome.result)
        else:
            own = [f for f in catalog_findings.get(display, []) + cross.get(display, []) if f.rule in severities]
            results.append(FileResult(display, sorted(own, key=Finding.sort_key)))
    return RunResult(results)


def stamped(findings: list[Finding], summary: JourneySummary | None, display: str) -> list[Finding]:
    """Findings judged after the cross-file pass, with the identity of their journey (or file)."""
    from .identity import stamp

    return stamp(findings, None, f"journey:{summary.id}" if summary is not None else f"file:{display}")


def exit_code(result: RunResult, fail_on: str = "error") -> int:
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in result.findings) else 0
