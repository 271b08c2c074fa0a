"""JUnit XML for CI test-report tabs: one testsuite per journey file, one testcase per finding.

A clean file gets one passing testcase, so the report counts every file checked. A file that could
not be read or parsed (file-error, yaml-syntax) is an `<error>` (the check could not run); a finding at
or above `--fail-on` is a `<failure>`; a finding below it is `<skipped>` with its message. Skipped, not
a passing case with `system-out`: the run exits 0, so nothing may be red (Jenkins would mark the build
unstable), yet the finding stays visible and counted in every test-report tab, where output of a
passing case is hidden.

Test names carry no position (`rule: message` with positions masked, as in journeyctl.identity), so a
test's history survives lines moving; `file` is relative to the repository root, as in SARIF. XML 1.0
cannot carry most control characters even escaped, so they are stripped; ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..check.pipeline import RunResult
from ..check.findings import Finding, severity_rank

ERROR_RULES = frozenset({"file-error", "yaml-syntax"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _case(suite: ET.Element, classname: str, name: str, file: str, line: int | None = None) -> ET.Element:
    case = ET.SubElement(suite, "testcase", {"classname": xml_text(classname), "name": xml_text(name),
                                             "file": xml_text(file)})
    if line is not None:
        case.set("line", str(line))
    return case


def case_name(f: Finding) -> str:
    """A test name without positions: rule and message, positions masked (journeyctl.identity)."""
    from ..check.identity import normalise_message

    message = normalise_message(f.message)
    return f"{f.rule}: {message[:200]}" if message else f.rule


def to_junit(result: RunResult, fail_on: str = "error") -> str:
    from .sarif import root_relative, source_root

    repo = source_root()
    threshold = severity_rank(fail_on)
    root = ET.Element("testsuites", {"name": "journeyctl"})
    total = failures = errors = skipped = 0
    for file in sorted(result.files, key=lambda r: r.path):
        findings = sorted(file.findings, key=Finding.sort_key)
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(file.path)})
        rel = root_relative(file.path, repo) or file.path
        suite_failures = suite_errors = suite_skipped = 0
        names: dict[str, int] = {}
        for f in findings:
            name = case_name(f)
            names[name] = names.get(name, 0) + 1
            case = _case(suite, file.path, name + (f" #{names[name]}" if names[name] > 1 else ""), rel, f.line)
            if f.rule in ERROR_RULES:
                tag = "error"
            else:
                tag = "failure" if severity_rank(f.severity) >= threshold else "skipped"
            where = f" ({f.path})" if f.path else ""
            attrs = {"message": xml_text(f.message)} if tag == "skipped" else \
                {"type": f.severity, "message": xml_text(f.message)}
            outcome = ET.SubElement(case, tag, attrs)
            outcome.text = xml_text(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}{where}\n{f.message}")
            if tag == "error":
                suite_errors += 1
            elif tag == "failure":
                suite_failures += 1
            else:
                suite_skipped += 1
        if not findings:
            _case(suite, file.path, "journeyctl validate", rel)
        tests = max(1, len(findings))
        suite.set("tests", str(tests))
        suite.set("failures", str(suite_failures))
        suite.set("errors", str(suite_errors))
        suite.set("skipped", str(suite_skipped))
        total += tests
        failures += suite_failures
        errors += suite_errors
        skipped += suite_skipped
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
