"""One page per rule, docs/rules/<id>.md, generated from the rule docstrings (the single source).

SARIF `helpUri`, editor diagnostics and `journeyctl explain` all point at the same text, so the pages
are generated, never written by hand, and the suite fails when a committed page differs from what
its docstring gives (`python -m journeyctl.rules.docs` rewrites them; `--check` only compares).
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import Rule

# Where the published documentation lives; the pages below are served under it.
HOME_URL = "https://journeyctl.dev"
RULES_DIR = "docs/rules"
_HEADER = "<!-- generated from the rule's docstring by `python -m journeyctl.rules.docs`: edit the docstring -->"


def rule_page(rule_id: str) -> str:
    """The page of a rule, relative to the repository root."""
    return f"{RULES_DIR}/{rule_id}.md"


def rule_url(rule_id: str) -> str:
    return f"{HOME_URL}/{rule_page(rule_id)}"


def _split_doc(doc: str) -> tuple[str, list[tuple[str, str]]]:
    """(prose, [(heading, yaml)]) of a docstring ending in Fails:/Passes: blocks."""
    import textwrap

    lines = doc.splitlines()
    prose: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.strip() in ("Fails:", "Passes:") and not line.startswith(" "):
            blocks.append((line.strip()[:-1], []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            prose.append(line)
    return "\n".join(prose).strip(), [(h, textwrap.dedent("\n".join(b)).strip("\n")) for h, b in blocks]


def page(rule: Rule) -> str:
    default = rule.severity + ("" if rule.enabled else ", off by default")
    prose, blocks = _split_doc(rule.doc)
    out = [_HEADER, "", f"# `{rule.id}`", "", f"**{rule.summary[:1].upper()}{rule.summary[1:]}.**", "",
           f"Default severity: {default}.", "", prose, ""]
    for heading, body in blocks:
        out += [f"## {heading}", "", "```yaml", body, "```", ""]
    out += ["## Changing it", "",
            "Set its severity (`error`, `warning`, `info`, `off`) in `.journeyctl.yaml`:", "",
            "```yaml", "rules:", f"  {rule.id}: warning", "```", "",
            f"or silence one finding on its line with `# journeyctl: disable={rule.id}`.", "",
            "[All rules](README.md)", ""]
    return "\n".join(out)


def index(rules: dict[str, Rule]) -> str:
    out = [_HEADER, "", "# Rules", "",
           "Every check `journeyctl validate` runs, with its default severity. `journeyctl explain RULE` prints "
           "the same text.", "", "| rule | default | what it finds |", "| --- | --- | --- |"]
    for r in rules.values():
        default = r.severity + ("" if r.enabled else " (off)")
        summary = r.summary.replace("|", "\\|")
        out.append(f"| [`{r.id}`]({r.id}.md) | {default} | {summary} |")
    return "\n".join(out) + "\n"


def pages() -> dict[str, str]:
    """Every generated page: path relative to the repository root → text."""
    from .catalog import all_rules

    rules = all_rules()
    out = {rule_page(r.id): page(r) for r in rules.values()}
    out[f"{RULES_DIR}/README.md"] = index(rules)
    return out


def stale(root: Path) -> list[str]:
    """Pages missing, different from what the docstrings give, or left over from a removed rule."""
    wanted = pages()
    out = [p for p, text in wanted.items() if not (root / p).is_file() or (root / p).read_text("utf-8") != text]
    folder = root / RULES_DIR
    if folder.is_dir():
        out += sorted(f"{RULES_DIR}/{f.name}" for f in folder.glob("*.md") if f"{RULES_DIR}/{f.name}" not in wanted)
    return sorted(out)


def write(root: Path) -> list[str]:
    """Write the pages that changed (atomically); remove pages of rules that no longer exist."""
    from ..output import write_atomic

    changed = stale(root)
    wanted = pages()
    (root / RULES_DIR).mkdir(parents=True, exist_ok=True)
    for rel in changed:
        if rel in wanted:
            write_atomic(root / rel, wanted[rel])
        else:
            (root / rel).unlink()
    return changed


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    if "--check" in argv:
        out = stale(root)
        for rel in out:
            sys.stderr.write(f"{rel}: out of date; run python -m journeyctl.rules.docs\n")
        return 1 if out else 0
    for rel in write(root):
        sys.stdout.write(f"wrote {rel}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
