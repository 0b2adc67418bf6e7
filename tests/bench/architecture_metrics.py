"""Architecture measures for the product packages (issue 14): modules, function length and
places that reach through two objects.

A *reach-through* is an attribute chain ``a.b.c`` (calls in between count too, e.g.
``services.library().library``) whose base ``a`` is a variable or a field of ``self``, not an
imported module, and where ``b`` names a collaborator of the project: a field or method that
holds or returns one of our services, stores or indexes (the ``COLLABORATORS`` list below).
Chains through plain data (``path.parent.name``) are not counted; that needs types, so the list
is explicit. Settings and paths are data, not collaborators.
Run: ``python -m tests.bench.architecture_metrics [root]``.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("core", "app", "ui", "rag", "models", "installers")
COLLABORATORS = frozenset({
    "library", "store", "index", "workspace", "retriever", "runtime", "embedder", "catalog",
    "chat", "models", "pii_analyzer", "_index", "_store", "_library", "_runtime", "_retriever",
    "_workspace", "collection", "history",
})
# The composition root: asking it for a part (``services.library()``) is not a hop; using what
# the part holds (``services.library().library``) is.
CONTAINERS = frozenset({"services", "_services"})


def modules(root: Path) -> list[Path]:
    return sorted(path for package in PACKAGES if (root / package).is_dir()
                  for path in (root / package).rglob("*.py"))


def function_lengths(tree: ast.AST) -> list[int]:
    return [node.end_lineno - node.lineno + 1 for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno]


def module_aliases(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def chain(node: ast.expr) -> tuple[str | None, list[str]]:
    """The base name and the attribute names of ``a.b().c``, innermost first."""
    attributes: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            break
    base = node.id if isinstance(node, ast.Name) else None
    return base, attributes[::-1]


def reach_throughs(tree: ast.AST) -> Iterator[tuple[int, str]]:
    aliases = module_aliases(tree)
    inner: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        value = node.value
        while isinstance(value, ast.Attribute | ast.Call):  # only the outermost chain counts
            inner.add(id(value))
            value = value.func if isinstance(value, ast.Call) else value.value
        base, attributes = chain(node)
        if base in ("self", "cls") and attributes:
            base, attributes = attributes[0], attributes[1:]
        if base in CONTAINERS and attributes:
            base, attributes = attributes[0], attributes[1:]
        if base is None or base in aliases or len(attributes) < 2:
            continue
        if any(name in COLLABORATORS for name in attributes[:-1]):
            yield node.lineno, ".".join([base, *attributes])


def main(root: Path) -> None:
    lengths: list[int] = []
    reaches: list[str] = []
    files = modules(root)
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lengths += function_lengths(tree)
        reaches += [f"{path.relative_to(root)}:{line} {text}"
                    for line, text in reach_throughs(tree)]
    deciles = statistics.quantiles(lengths, n=10)
    print(f"modules: {len(files)} ({', '.join(PACKAGES)})")
    print(f"functions: {len(lengths)}, median {statistics.median(lengths):g} lines, "
          f"p90 {deciles[-1]:g}, max {max(lengths)}")
    print(f"reach-through places: {len(reaches)}")
    for line in reaches:
        print("  " + line)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
