"""actionhub declares exactly the third-party packages its source imports (runtime dependencies), no more."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "packages" / "actionhub"
# Distribution name -> import name, where they differ.
IMPORT_NAMES = {"beautifulsoup4": "bs4", "pyyaml": "yaml"}


def _imported_modules(src: Path) -> set[str]:
    names = set()
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"actionhub", "__future__"}


def _declared(requirements: list[str]) -> set[str]:
    names = set()
    for req in requirements:
        dist = re.match(r"[A-Za-z0-9_.-]+", req).group(0).lower().replace("-", "_")
        names.add(IMPORT_NAMES.get(dist.replace("_", ""), IMPORT_NAMES.get(dist, dist)))
    return names


def test_runtime_dependencies_are_exactly_the_imported_packages():
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    declared = _declared(project["dependencies"])
    imported = _imported_modules(PACKAGE / "src" / "actionhub")
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported == set(), "declared but not imported"


def test_actionhub_never_imports_torch_or_coco():
    assert not {"torch", "coco", "transformers"} & _imported_modules(PACKAGE / "src" / "actionhub")
