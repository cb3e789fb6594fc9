"""``coco --help`` (and each subcommand's) answers without importing torch; times are in benchmarks/bench_startup.py."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["eval", "--help"], ["predict", "--help"]])
def test_help_does_not_import_torch(argv):
    code = (f"import sys\nfrom coco import cli\ntry:\n    cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print('torch' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stderr.strip().splitlines()[-1] == "False"
    assert "usage:" in out.stdout
