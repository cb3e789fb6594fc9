"""``actionhub --help`` answers without importing the heavy libraries (they load in the functions that use them).
Times are printed by benchmarks/bench_startup.py, not asserted here."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ["numpy", "pyarrow", "scipy", "httpx", "nltk", "datasets", "gensim", "matplotlib", "torch"]


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["harvest", "--help"], ["queries", "--help"],
                                  ["stats", "--help"]])
def test_help_imports_no_heavy_library(argv):
    code = (f"import sys\nfrom actionhub import cli\ntry:\n    cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stderr.strip().splitlines()[-1] == "[]"
    assert "usage: actionhub" in out.stdout
