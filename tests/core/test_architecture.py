"""The house's edges, read from the source: which module may import which.

- ``counties`` is the floor every module stands on: it imports no feature module.
- No module imports another module's ``views`` or ``api`` (the app's composition root,
  ``app/main.py``, mounts them; a module's own ``module.py`` lists its own).
- No import circle between files of ``app/`` (imports inside functions count too; only
  ``if TYPE_CHECKING:`` blocks are left out, as they never run).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import app

APP = Path(app.__file__).parent
ROOT = APP.parent
FEATURES = {"helpdesk", "networks", "strategies", "overview"}
TOP = {"app.modules", "app.main", "app.models"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """Every ``app.…`` module the file imports, as full dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("app"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("app")
        ):
            for a in node.names:
                candidate = f"{node.module}.{a.name}"
                names.add(candidate if candidate in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {n for n in names if n in MODULES}


MODULES = {_module_name(p): p for p in APP.rglob("*.py")}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _package(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_counties_imports_no_feature_module():
    offenders = {
        (name, target)
        for name, targets in GRAPH.items()
        if _package(name) == "counties"
        for target in targets
        if _package(target) in FEATURES or target in TOP
    }
    assert sorted(offenders) == []


def test_no_module_imports_another_modules_views_or_api():
    offenders = set()
    for name, targets in GRAPH.items():
        if name in TOP:
            continue
        for target in targets:
            leaf = target.rsplit(".", 1)[-1]
            if (leaf in ("views", "api") or leaf.endswith(("_views", "_api"))) and _package(
                target
            ) != _package(name):
                offenders.add((name, target))
    assert sorted(offenders) == []


def test_no_import_circle():
    """Depth-first search for a cycle; the first one found is shown."""
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(GRAPH.get(name, ())):
            if target == name or target.startswith(name + "."):
                continue  # a package importing its own submodules
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


def test_the_architecture_test_sees_imports():
    """The reader finds what is there: a guard against a test that cannot fail."""
    assert "app.tenancy" in GRAPH["app.db"] or "app.clock" in GRAPH["app.db"]
    assert "app.counties.models" in GRAPH["app.accounts.models"]


SERVER_CLOCK = re.compile(r"\b(?:date\.today|datetime\.(?:now|today|utcnow))\(\s*\)")


def test_today_is_norwegian_everywhere():
    """'Today' is Norway's date (app.clock), not the server's: a test that took the server's
    date failed between midnight in Oslo and midnight UTC, and so would a page."""
    roots = (ROOT / "app", ROOT / "tests", ROOT / "bench")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for root in roots
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SERVER_CLOCK.search(line) and "server-clock: allowed" not in line
    ]
    assert offenders == []
    assert SERVER_CLOCK.search("x = date.today()")  # server-clock: allowed
    assert not SERVER_CLOCK.search("clock.today()")
