"""The videos of a ``coco features`` run: a folder (label = parent folder) or a CSV/Parquet list.

A folder is walked recursively, the UCF101/HMDB51/Kinetics layout ``ROOT/<label>/<video>``; every entry whose
name has a video extension is a video, even when it is a directory, a dangling link or unreadable (those become
failure rows, not silent omissions). A list has columns ``path,label`` and optionally ``split``; relative paths
are relative to the list's folder; a list may live on object storage (any pyarrow filesystem URI).

The video id is the path relative to the root (folder, or the list's folder), with ``/`` separators: stable
across machines and the sort key of the merged output.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coco.task import TaskError

VIDEO_EXTENSIONS = frozenset({".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg", ".flv", ".wmv",
                              ".3gp", ".ogv", ".ts"})


@dataclass(frozen=True)
class Video:
    """One input video.

    Attributes:
        video_id: Path relative to the root, ``/``-separated (unique, sorted order = output order).
        source: What the decoder opens: a local path or a filesystem URI.
        label: Class name.
        split: Output sub-directory (``train``, ``eval``...), or ``""`` for one directory.
    """

    video_id: str
    source: str
    label: str
    split: str = ""


def _walk(root: Path) -> list[Video]:
    videos, seen = [], set()
    for folder, dirs, files in os.walk(root, followlinks=True):  # datasets are often linked in, class by class
        real = os.path.realpath(folder)
        if real in seen:  # a link cycle
            dirs[:] = []
            continue
        seen.add(real)
        for name in sorted(dirs + files):
            if Path(name).suffix.lower() in VIDEO_EXTENSIONS:
                path = Path(folder) / name
                videos.append(Video(path.relative_to(root).as_posix(), str(path), path.parent.name))
        dirs[:] = [d for d in dirs if Path(d).suffix.lower() not in VIDEO_EXTENSIONS]  # x.mp4/ is a video (row)
    return videos


def _read_table(path: str) -> tuple[list[dict], str]:
    """Rows of a CSV/Parquet list and the root its relative paths start from (local path or URI prefix)."""
    if "://" in path:
        from pyarrow import fs

        filesystem, inner = fs.FileSystem.from_uri(path)
        root = path.rsplit("/", 1)[0]
        with filesystem.open_input_file(inner) as fh:
            data = fh.read()
    else:
        root = str(Path(path).parent)
        data = Path(path).read_bytes()
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(data)).to_pylist(), root
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")))), root


def _from_list(path: str) -> list[Video]:
    rows, root = _read_table(path)
    if not rows:
        raise TaskError(f"{path}: no rows")
    missing = {"path", "label"} - set(rows[0])
    if missing:
        raise TaskError(f"{path}: needs columns path,label (optional split); missing {sorted(missing)}")
    videos = []
    for number, row in enumerate(rows, 2):
        given, label = str(row["path"] or "").strip(), str(row["label"] or "").strip()
        if not given or not label:
            raise TaskError(f"{path}: row {number} has an empty path or label")
        split = str(row.get("split") or "").strip()
        if split and (split.startswith(".") or "/" in split or split == "shards"):
            raise TaskError(f"{path}: row {number}: split {split!r} must be a plain folder name")
        if "://" in given or os.path.isabs(given):  # absolute: the id is relative to the root when under it
            source, prefix = given, root.rstrip("/") + "/"
            video_id = given[len(prefix):] if given.startswith(prefix) else given
        else:
            source = f"{root}/{given}" if "://" in root else str(Path(root) / given)
            video_id = PurePosixPath(given.replace(os.sep, "/")).as_posix()
        videos.append(Video(video_id, source, label, split))
    return videos


def list_videos(path: str | Path) -> list[Video]:
    """The videos of a folder or a CSV/Parquet list, sorted by id.

    Raises:
        TaskError: Missing path, a list without ``path``/``label`` columns or with empty cells, no videos, or the
            same video id twice.
    """
    path = str(path)
    if "://" not in path and not Path(path).exists():
        raise TaskError(f"--videos {path}: no such folder or list file")
    if "://" not in path and Path(path).is_dir():
        videos = _walk(Path(path))
    elif path.endswith((".csv", ".parquet")):
        videos = _from_list(path)
    else:
        raise TaskError(f"--videos {path}: expected a folder or a .csv/.parquet list with columns path,label")
    if not videos:
        raise TaskError(f"--videos {path}: no videos (extensions {' '.join(sorted(VIDEO_EXTENSIONS))})")
    videos.sort(key=lambda v: v.video_id)
    twice = sorted({a.video_id for a, b in zip(videos, videos[1:], strict=False) if a.video_id == b.video_id})
    if twice:
        raise TaskError(f"--videos {path}: {len(twice)} videos listed twice, e.g. {twice[:3]}")
    return videos
