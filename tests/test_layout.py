"""The tree shows the pipeline: packages by concern, no import cycles, a command line that loads nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "journeyctl"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Module → the journeyctl modules it imports, at module level or inside functions (both run at some
    point), leaving out imports that only type checkers see."""
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = _type_checking_lines(tree)
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in hidden:
                continue
            if isinstance(node, ast.ImportFrom):
                base = (".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
                        if node.level else node.module or "")
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    edges.add(target if target in paths else base)
            elif isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
        graph[name] = {e for e in edges if e in paths and e != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_takes_part_in_an_import_cycle():
    # A package __init__ that names its submodules is not a cycle with them (importing the package first
    # is how Python works); every other loop is.
    graph = import_graph()
    for name, edges in graph.items():
        graph[name] = {e for e in edges if not e.startswith(name + ".") and not name.startswith(e + ".")}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_is_grouped_into_packages_named_for_what_they_hold():
    top = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top == ["__init__", "__main__", "cli", "clock", "config", "output", "plural", "suggest"]
    for package in ("format", "check", "analysis", "rules", "report", "render", "diff", "conform", "site",
                    "interop", "lsp", "fix", "commands"):
        init = PACKAGE / package / "__init__.py"
        assert init.is_file(), package
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{package}/__init__.py says nothing"


def test_every_command_has_its_own_module_and_cli_only_builds_the_app():
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    decorated = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                 and any("command" in ast.unparse(d) for d in n.decorator_list)]
    assert decorated == []
    from journeyctl.cli import COMMANDS, app

    names = {info.name or info.callback.__name__ for info in app.registered_commands}
    for module in COMMANDS:
        assert (PACKAGE / "commands" / f"{module}.py").is_file()
    assert {"validate", "schema", "init", "rules", "explain", "render", "diff"} <= names


def test_importing_the_command_line_loads_no_engine():
    probe = ("import sys, journeyctl.cli; "
             "print('\\n'.join(m for m in sys.modules if m.split('.')[:2] in "
             "[['journeyctl', p] for p in ('check', 'render', 'diff', 'conform', 'site', 'analysis', 'rules')]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == []
