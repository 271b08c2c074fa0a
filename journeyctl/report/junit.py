"""JUnit XML for CI test-report tabs: one testsuite per journey file, one testcase per finding.

A clean file gets one passing testcase, so the report counts every file checked. A file that could
not be read or parsed (file-error, yaml-syntax) is an `<error>` (the check could not run); every other
finding is a `<failure>`. XML 1.0 cannot carry most control characters even escaped, so they are
stripped; ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..check import RunResult
from ..findings import Finding

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


def to_junit(result: RunResult) -> str:
    root = ET.Element("testsuites", {"name": "journeyctl"})
    total = failures = errors = 0
    for file in sorted(result.files, key=lambda r: r.path):
        findings = sorted(file.findings, key=Finding.sort_key)
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(file.path)})
        suite_failures = suite_errors = 0
        for f in findings:
            case = _case(suite, file.path, f"{f.rule} at {f.line}:{f.column}", file.path, f.line)
            tag = "error" if f.rule in ERROR_RULES else "failure"
            where = f" ({f.path})" if f.path else ""
            outcome = ET.SubElement(case, tag, {"type": f.severity, "message": xml_text(f.message)})
            outcome.text = xml_text(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}{where}\n{f.message}")
            if tag == "error":
                suite_errors += 1
            else:
                suite_failures += 1
        if not findings:
            _case(suite, file.path, "journeyctl validate", file.path)
        tests = max(1, len(findings))
        suite.set("tests", str(tests))
        suite.set("failures", str(suite_failures))
        suite.set("errors", str(suite_errors))
        suite.set("skipped", "0")
        total += tests
        failures += suite_failures
        errors += suite_errors
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
