"""The core never imports Qt; rag and models know nothing of app or ui; core knows nothing of
any of them."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports_of(package: str) -> set[tuple[str, str]]:
    found = set()
    for source in (ROOT / package).rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(source.relative_to(ROOT)), alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(source.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("app", ("PySide6", "ui")), ("rag", ("PySide6", "ui", "app")),
     ("models", ("PySide6", "ui", "app", "rag")),
     ("core", ("PySide6", "ui", "app", "rag", "models"))],
)
def test_package_does_not_import_upper_layers(package: str, forbidden: tuple[str, ...]) -> None:
    offenders = [(where, name) for where, name in _imports_of(package)
                 if name.split(".")[0] in forbidden]
    assert not offenders


def test_import_linter_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
