"""Library log noise (httpx's line per request) is quiet unless ``actionhub --verbose``."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest


@pytest.mark.parametrize("verbose", [False, True])
def test_httpx_request_lines_only_with_verbose(tmp_path, emulator, make_queries, verbose):
    emu = emulator()
    qpath = tmp_path / "q.parquet"
    pq.write_table(make_queries({0: ["surf"], 1: ["juggle"]}), qpath)
    argv = [*(["--verbose"] if verbose else []), "harvest", "--queries", str(qpath), "--out", str(tmp_path / "h"),
            "--base-url", emu.url, "--max-pages", "1", "--no-progress"]
    out = subprocess.run([sys.executable, "-m", "actionhub", *argv], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert ("HTTP Request: GET" in out.stderr) is verbose
    assert "2 tasks: 2 done" in out.stdout
