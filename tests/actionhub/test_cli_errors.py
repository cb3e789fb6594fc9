"""issue 14, item 9: every mistake a person can make on the command line is one line and a non-zero exit.

Each bad input runs as a subprocess (``python -m actionhub`` / ``python -m coco``) in an empty directory, as
a new user would, and must: exit non-zero, say what is wrong in one or two lines of stderr, show no
traceback, and leave no new file behind (in the working directory or the output directory).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from actionhub import publish, schema
from actionhub.harvest.emulator import Emulator, EmulatorConfig, Faults

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHUTTERSTOCK_", "HF_", "ACTIONHUB_"))}
    # A fresh HOME, but the set-up's caches stay reachable: the encoder's ONNX export (made by `make setup`) lives
    # in $XDG_CACHE_HOME or ~/.cache, and the default scorer needs it.
    env.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))
    env.update(PYTHONPATH=f"{ROOT}/packages/actionhub/src:{ROOT}/packages/coco/src", HOME=str(tmp_path / "home"),
               HF_HOME=str(tmp_path / "home" / "hf"), HF_HUB_DISABLE_TELEMETRY="1", **extra)
    return env


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if "home" not in p.relative_to(root).parts[:1]}


@pytest.fixture
def workdir(tmp_path):
    """An empty working directory with the inputs the cases need, made before the snapshot of files."""
    (tmp_path / "home").mkdir()
    (tmp_path / "afile").write_text("not a directory\n")
    (tmp_path / "notadataset").mkdir()
    (tmp_path / "notadataset" / "notes.txt").write_text("hello\n")
    (tmp_path / "big.txt").write_text("x" * 100_000 + "\n")
    queries = pa.Table.from_pylist([{"action_id": 0, "action": "surf", "key": "surf", "queries": ["surf"],
                                     "aliases": [], "sources": ["user"]}], schema=schema.QUERIES)
    import pyarrow.parquet as pq

    pq.write_table(queries, tmp_path / "q.parquet")
    _published(tmp_path / "dataset")
    _published(tmp_path / "corrupted")
    victim = sorted((tmp_path / "corrupted" / "data" / "descriptions").glob("*.parquet"))[0]
    victim.write_bytes(b"PAR1 this is not parquet any more")
    return tmp_path


def _published(path: Path) -> None:
    row = {"description_id": "s:1:0", "action_id": 0, "action": "surf", "site": "s", "asset_id": "1",
           "queries": ["surf"], "description": "A man surfing.", "keywords": [], "n_sentences": 1,
           "relevance": 0.5, "rank": 1}
    tables = {"descriptions": pa.Table.from_pylist([row], schema=schema.DESCRIPTIONS),
              "sentences": pa.Table.from_pylist([{"description_id": "s:1:0", "action_id": 0, "action": "surf",
                                                  "sentence_index": 0, "sentence": "A man surfing."}],
                                                schema=schema.SENTENCES),
              "actions": pa.Table.from_pylist([{"action_id": 0, "action": "surf", "key": "surf", "queries": ["surf"],
                                                "aliases": [], "sources": ["user"]}], schema=schema.QUERIES)}
    publish.publish(tables, path)


def _busy_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


# (name, argv after "python -m", extra environment, words the message must contain)
CASES = [
    ("unknown site (build)", ["actionhub", "build", "--site", "nope"], {}, ["--site", "nope"]),
    ("unknown site (harvest)", ["actionhub", "harvest", "--queries", "q.parquet", "--out", "o", "--site", "nope"], {},
     ["--site", "nope"]),
    ("zero pages", ["actionhub", "build", "--max-pages", "0"], {}, ["max_pages", "> 0"]),
    ("negative concurrency", ["actionhub", "build", "--concurrency", "-2"], {}, ["concurrency", "> 0"]),
    ("negative per page (harvest)", ["actionhub", "harvest", "--queries", "q.parquet", "--out", "o",
                                     "--per-page", "-5"], {}, ["per_page", "> 0"]),
    ("negative stats count", ["actionhub", "stats", "dataset", "--top", "-1"], {}, [">= 0"]),
    ("--out is a file (build)", ["actionhub", "build", "--out", "afile"], {}, ["afile", "existing file"]),
    ("--out is a file (harvest)", ["actionhub", "harvest", "--queries", "q.parquet", "--out", "afile",
                                   "--base-url", "http://127.0.0.1:9"], {}, ["afile", "existing file"]),
    ("--out is a file (stats)", ["actionhub", "stats", "dataset", "--out", "afile"], {}, ["afile", "existing file"]),
    ("port in use", ["actionhub", "emulator", "--port", "{busy_port}"], {}, ["port {busy_port}", "in use"]),
    ("stats on a directory that is not a dataset", ["actionhub", "stats", "notadataset"], {},
     ["notadataset", "not a published actionhub dataset"]),
    ("stats on a missing directory", ["actionhub", "stats", "nowhere"], {}, ["nowhere", "not a directory"]),
    ("corrupted Parquet", ["actionhub", "stats", "corrupted"], {},
     ["corrupted/data/descriptions/train-00000-of-00001.parquet", "not a readable Parquet file"]),
    ("unknown coco dataset", ["coco", "train", "--protocol", "intra", "--dataset", "nope", "--features", "afile",
                              "--out-dir", "runs"], {}, ["unknown --dataset", "nope"]),
    ("unknown coco protocol", ["coco", "train", "--protocol", "er"], {}, ["--protocol", "er"]),
    ("push without a token", ["actionhub", "push", "dataset", "--repo-id", "someone/actionhub"], {},
     ["no Hugging Face token"]),
    ("push without network", ["actionhub", "push", "dataset", "--repo-id", "someone/actionhub"],
     {"HF_TOKEN": "hf_not_a_real_token", "HF_ENDPOINT": "http://127.0.0.1:9"}, ["cannot reach the Hugging Face Hub"]),
    ("push of a directory that is not a dataset", ["actionhub", "push", "notadataset", "--repo-id", "a/b"], {},
     ["not a published actionhub dataset"]),
    ("missing credentials", ["actionhub", "build", "--sources", "kinetics700,mit,ava"], {},
     ["SHUTTERSTOCK_CLIENT_ID", "SHUTTERSTOCK_CLIENT_SECRET"]),
    ("missing credentials (harvest)", ["actionhub", "harvest", "--queries", "q.parquet", "--out", "o"], {},
     ["SHUTTERSTOCK_CLIENT_ID", "SHUTTERSTOCK_CLIENT_SECRET"]),
    ("100 KB class name (build)", ["actionhub", "build", "--sources", "", "--classes", "big.txt", "--base-url",
                                   "http://127.0.0.1:9"], {}, ["big.txt, line 1", "100000 characters"]),
    ("100 KB class name (queries)", ["actionhub", "queries", "--sources", "", "--classes", "big.txt", "--out",
                                     "q2.parquet"], {}, ["big.txt, line 1", "100000 characters"]),
    ("unknown source", ["actionhub", "build", "--sources", "kinetics9000"], {}, ["kinetics9000"]),
    ("missing query table", ["actionhub", "harvest", "--queries", "nope.parquet", "--out", "o"], {},
     ["nope.parquet"]),
]


@pytest.mark.parametrize(("name", "argv", "env", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_mistake_is_one_line_and_a_nonzero_exit(name, argv, env, words, workdir):
    busy = _busy_port()
    port = str(busy.getsockname()[1])
    argv = [a.replace("{busy_port}", port) for a in argv]
    before = _files(workdir)
    try:
        done = subprocess.run([sys.executable, "-m", *argv], cwd=workdir, env=_env(workdir, **env),
                              capture_output=True, text=True, timeout=120)
    finally:
        busy.close()
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0, done.stdout
    assert 1 <= len(lines) <= 2, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    for word in words:
        assert word.replace("{busy_port}", port) in done.stderr, done.stderr
    assert _files(workdir) == before, "left files behind"


def test_debug_shows_the_traceback(workdir):
    for extra, env in ((["--debug"], {}), ([], {"ACTIONHUB_DEBUG": "1"})):
        done = subprocess.run([sys.executable, "-m", "actionhub", "build", "--max-pages", "0", *extra], cwd=workdir,
                              env=_env(workdir, **env), capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and "Traceback" in done.stderr and "max_pages must be > 0" in done.stderr


def test_ctrl_c_is_one_line_exit_130_and_the_same_command_resumes(workdir):
    classes = workdir / "classes.txt"
    classes.write_text("\n".join(f"action number {i}" for i in range(40)) + "\n")
    # Until the interrupt every request waits 0.5 s: when the second action's stats appear, most of a minute of
    # harvest is left, so the signal lands in the build however late a loaded machine lets this test poll (at
    # 0.2 s a request, two CI runs on a busy machine saw the build finish first). The resumed run is served
    # without the delay: same seed, same results.
    with Emulator(EmulatorConfig(faults=Faults(slow_every=1, slow_seconds=0.5))) as emu:
        argv = [sys.executable, "-m", "actionhub", "build", "--out", "out", "--sources", "", "--classes",
                str(classes), "--base-url", emu.url, "--rate", "0", "--concurrency", "1", "--per-page", "10",
                "--no-progress", "--no-near-dedup"]
        proc = subprocess.Popen(argv, cwd=workdir, env=_env(workdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        stats = workdir / "out" / "build" / "harvest" / "stats" / "shutterstock"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(stats.glob("*.json"))) < 2:
            time.sleep(0.02)
        assert proc.poll() is None, "the build ended before the interrupt could be sent"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert err.strip().splitlines() == ["actionhub: interrupted; rerun the same command to resume"]
        emu.config = EmulatorConfig()
        done = subprocess.run(argv, cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    assert (workdir / "out" / "actionhub" / ".actionhub-complete.json").is_file()
