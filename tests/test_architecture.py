"""The package layout is the architecture: imports go one way, with no cycle and nothing hidden
inside a function. Read from the source, so a new module is checked without being listed."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "formkit"
FAMILIES = ("formkit.letters", "formkit.meetings", "formkit.opencare", "formkit.board", "formkit.arshjul",
            "formkit.kvalitet", "formkit.web", "formkit.cli")
LOWER = ("formkit.case", "formkit.docx", "formkit.output", "formkit.options", "formkit.errors", "formkit.swedish",
         "formkit.xmlsafe", "formkit.pdf", "formkit.xlsx")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The formkit modules an import statement loads (``from formkit.x import y`` loads
    ``formkit.x.y`` when y is a module)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("formkit")]
    if not node.module or not node.module.startswith("formkit"):
        return []
    names = [f"{node.module}.{a.name}" for a in node.names]
    return [node.module] + [n for n in names if n in MODULES]


def imports_of(path: Path) -> tuple[set[str], list[str]]:
    """(formkit modules imported at module level, imports found inside functions or classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            top.update(imported(node))
    nested = [
        f"{path.name}:{node.lineno}"
        for parent in ast.walk(tree) if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for node in ast.walk(parent) if isinstance(node, (ast.Import, ast.ImportFrom)) and imported(node)
    ]
    return top, nested


GRAPH = {name: imports_of(path)[0] & set(MODULES) for name, path in MODULES.items()}


def test_no_import_inside_a_function() -> None:
    hidden = [where for path in MODULES.values() for where in imports_of(path)[1]]
    assert hidden == []


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(GRAPH[name]):
            if target == name or (target in MODULES and name.startswith(target + ".")):
                continue  # a package's own __init__ is not a cycle with its submodules
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


def test_lower_layers_never_import_a_family() -> None:
    wrong = {
        name: sorted(t for t in targets if t.startswith(FAMILIES))
        for name, targets in GRAPH.items() if name.startswith(LOWER)
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_docx_engine_knows_nothing_about_clients() -> None:
    wrong = {name: sorted(t for t in targets if t.startswith("formkit.case"))
             for name, targets in GRAPH.items() if name.startswith("formkit.docx")}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_graph_is_read() -> None:
    """The checks above would pass on an empty graph: make sure they see real imports."""
    assert "formkit.case.model" in GRAPH["formkit.letters.batch"]
    assert "formkit.output" in GRAPH["formkit.board.boards"]
