"""Monorepo invariants: package boundaries, the NLTK set-up, and coco running with torch alone."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imported_roots(package_dir: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in package_dir.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_actionhub_never_imports_torch():
    assert "torch" not in _imported_roots(ROOT / "packages/actionhub/src")


def test_actionhub_never_imports_coco():
    assert "coco" not in _imported_roots(ROOT / "packages/actionhub/src")


# Heavy modules `coco --help` must not need: coco imports actionhub's light modules only, lazily the rest.
_NOT_ON_A_TORCH_ONLY_MACHINE = ["pyarrow", "transformers", "datasets", "tqdm", "tensorboard",
                                "pandas", "gensim", "huggingface_hub", "safetensors", "tokenizers"]


def test_python_m_coco_runs_with_torch_alone():
    # A meta-path hook makes every non-torch third-party module unimportable, as on a torch-only machine.
    blocker = (
        "import sys\n"
        f"BLOCK = set({_NOT_ON_A_TORCH_ONLY_MACHINE!r})\n"
        "class B:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in BLOCK: raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, B())\n"
        "import runpy; sys.argv = ['coco', '--help']; runpy.run_module('coco', run_name='__main__')\n"
    )
    env = {"PYTHONPATH": f"{ROOT / 'packages/coco/src'}:{ROOT / 'packages/actionhub/src'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "usage: coco" in out.stdout


def _load_setup_tool():
    spec = importlib.util.spec_from_file_location("setup_nltk_data", ROOT / "tools/setup_nltk_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_lexnames_agree_with_wordnet_data_files():
    from actionhub.assets import nltk_resource

    wn_dir = nltk_resource("wordnet")
    rows = [line.split("\t") for line in (wn_dir / "lexnames").read_text().splitlines()]
    lexnames = {int(num): name for num, name, _ in rows}
    assert len(lexnames) == 45
    # Every synset in data.verb names its lexicographer file by number: each must be a verb.* file.
    for line in (wn_dir / "data.verb").read_text().splitlines()[100:2000]:
        lex_filenum = int(line.split()[1])
        assert lexnames[lex_filenum].startswith("verb."), line[:40]


def test_lexnames_parser_rejects_a_page_without_the_table():
    with pytest.raises(RuntimeError, match="45 lexicographer files"):
        _load_setup_tool().lexnames_from_manpage("no table here")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in readme and "make demo" in readme
    assert "make test" in ci
