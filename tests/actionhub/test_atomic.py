"""actionhub.atomic: concurrent writers never leave a corrupt file or a stray temporary; a failed write
leaves the old file intact."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from actionhub import atomic

# Run in separate processes (``python -c``): each writes 1 MiB self-checking payloads to one target, while a
# reader checks every version it sees. An unprotected write of this size is visibly half-done.
_WORKER = """
import hashlib, sys
from pathlib import Path
from actionhub import atomic
role, target, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
size = 1 << 20
bad = 0
for r in range(rounds):
    if role == "write":
        body = bytes([n]) * (size - 40) + r.to_bytes(8, "big")
        atomic.write_bytes(target, hashlib.sha256(body).digest() + body)
    else:
        try:
            data = Path(target).read_bytes()
        except FileNotFoundError:
            continue
        bad += len(data) != size or hashlib.sha256(data[32:]).digest() != data[:32]
print(bad)
"""


def _intact(data: bytes) -> bool:
    return len(data) == 1 << 20 and hashlib.sha256(data[32:]).digest() == data[:32]


def test_concurrent_writers_leave_a_whole_file_and_no_temporary(tmp_path):
    target = tmp_path / "shared.bin"
    roles = [("write", 1, 15), ("write", 2, 15), ("write", 3, 15), ("read", 0, 60)]
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, role, str(target), str(n), str(rounds)],
                              stdout=subprocess.PIPE, text=True) for role, n, rounds in roles]
    outputs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    assert outputs == ["0", "0", "0", "0"]  # the reader never saw a partial file
    assert _intact(target.read_bytes())
    assert sorted(os.listdir(tmp_path)) == ["shared.bin"]


def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "table.json"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError, match="disk full"), atomic.atomic_open(target, "w") as fh:
        fh.write("new, half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["table.json"]


def test_files_get_the_usual_permissions_not_mkstemps_0600(tmp_path):
    path = atomic.write_text(tmp_path / "a.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_atomic_dir_replaces_a_directory_whole_or_not_at_all(tmp_path):
    target = tmp_path / "dataset"
    with atomic.atomic_dir(target) as d:
        (d / "v1").write_text("1")
    with pytest.raises(ValueError), atomic.atomic_dir(target) as d:
        (d / "v2").write_text("2")
        raise ValueError("failed build")
    assert sorted(p.name for p in target.iterdir()) == ["v1"]
    with atomic.atomic_dir(target) as d:
        (d / "v2").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["v2"]
    assert sorted(os.listdir(tmp_path)) == ["dataset"]


def test_remove_stale_clears_what_a_killed_writer_left(tmp_path):
    (tmp_path / ".x.parquet.k3j.tmp").write_bytes(b"partial")
    (tmp_path / "x.parquet").write_bytes(b"whole")
    assert atomic.remove_stale(tmp_path) == 1
    assert os.listdir(tmp_path) == ["x.parquet"]
