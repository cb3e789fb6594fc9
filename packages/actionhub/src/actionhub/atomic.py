"""Atomic writes: a file (or directory) appears under its final name complete, or not at all.

Every writer in actionhub and coco goes through here. The data is written to a temporary name in the same
directory (unique per call, so two processes writing one target never share a temporary file), flushed and
fsynced, then renamed over the target with ``os.replace`` (atomic on POSIX within one file system). If the
writer raises, the temporary file is removed and the old target is left as it was. Temporary names start
with ``.`` and end with :data:`TMP_SUFFIX`, so readers that glob ``*.parquet`` never see them and
:func:`remove_stale` can clear what a killed process left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    """Makes a rename in ``directory`` durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", *, durable: bool = True,
                encoding: str | None = None, newline: str | None = None) -> Iterator[IO]:
    """Opens a temporary file beside ``path``; on a clean exit it replaces ``path``.

    Args:
        path: the target file; its parent directory is created.
        mode: ``"wb"`` or ``"w"``.
        durable: fsync the data before the rename (skip it only for files that are cheap to redo).
        encoding: text mode's encoding (default utf-8).
        newline: text mode's newline translation (``""`` for the csv module).

    Yields:
        The open temporary file. Write to it; do not close it.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        text = mode == "w"
        with os.fdopen(fd, mode, encoding=(encoding or "utf-8") if text else None,
                       newline=newline if text else None) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def write_bytes(path: str | os.PathLike, data: bytes, *, durable: bool = True) -> Path:
    """Writes ``data`` to ``path`` atomically; returns the path."""
    with atomic_open(path, "wb", durable=durable) as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, *, durable: bool = True, encoding: str = "utf-8") -> Path:
    """Writes ``text`` to ``path`` atomically; returns the path."""
    with atomic_open(path, "w", durable=durable, encoding=encoding) as fh:
        fh.write(text)
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yields an empty temporary directory beside ``path``; on a clean exit it replaces ``path``.

    An existing directory at ``path`` is moved aside and removed only after the new one is in place, so a
    reader sees the old directory or the new one, never a mix (there is a short moment with neither).
    Files written inside should be complete when the block ends; the directory's entries are fsynced.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        for sub in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            _fsync_dir(sub)
        old = None
        if path.exists():
            old = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}{TMP_SUFFIX}"
            os.replace(path, old)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def remove_dir(path: str | os.PathLike) -> bool:
    """Removes a directory at once: renamed to a temporary name first, then deleted; returns whether it existed.

    A reader sees the whole directory or none of it, even if the deletion is interrupted.
    """
    path = Path(path)
    if not path.exists():
        return False
    aside = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}{TMP_SUFFIX}"
    os.replace(path, aside)
    shutil.rmtree(aside, ignore_errors=True)
    return True


def remove_stale(directory: str | os.PathLike) -> int:
    """Removes temporary files left in ``directory`` by killed writers; returns how many.

    Only call it where no other process is writing into ``directory`` at the same time.
    """
    removed = 0
    for leftover in Path(directory).glob(f".*{TMP_SUFFIX}"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed += 1
    return removed
