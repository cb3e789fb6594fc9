"""ActivityNet Captions joined with ActivityNet v1.3 activity labels, read from ``../shared`` at run time.

The data is research-only (no licence on the annotation text), so it is never copied into the repository:
:func:`find_data_dir` locates it beside the repository (or via ``ACTIONHUB_SHARED``) and the benchmark skips
when it is absent. The join follows ``shared/reference/captions/README.md``: a caption video ``v_<id>`` gets
the set of ``action-label`` values of the TSP rows with ``video-name == <id>`` and
``temporal-region-label == "Action"``. The 13 videos whose set has two labels (6 in train, 7 in val_1) are
dropped, so every kept video has exactly one action; the count dropped is reported.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "ACTIONHUB_SHARED"
SUBDIR = Path("reference/captions/activitynet_captions")
CAPTION_FILES = {"train": "train_modified.json", "val_1": "val_1.json", "val_2": "val_2.json"}
LABEL_FILES = {"train": "activitynet_v1-3_train_tsp_groundtruth.csv",
               "val_1": "activitynet_v1-3_valid_tsp_groundtruth.csv",
               "val_2": "activitynet_v1-3_valid_tsp_groundtruth.csv"}
REPO_ROOT = Path(__file__).resolve().parents[2]


class DataError(ValueError):
    """The caption or label files are inconsistent; the message names the file and the problem."""


@dataclass(frozen=True)
class Video:
    """One captioned video with its single action label.

    Attributes:
        video_id: ``v_<youtube id>`` as in the caption JSON.
        label: ActivityNet v1.3 action name, e.g. ``"Playing polo"``.
        sentences: The paragraph's sentences, whitespace-stripped, empty ones removed.
    """

    video_id: str
    label: str
    sentences: tuple[str, ...]

    @property
    def paragraph(self) -> str:
        """The sentences joined with single spaces."""
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Split:
    """The single-label videos of one caption file.

    Attributes:
        name: ``train``, ``val_1`` or ``val_2``.
        videos: Kept videos, in the caption file's order.
        dropped_multilabel: Ids of videos dropped because they carry two or more labels.
    """

    name: str
    videos: tuple[Video, ...]
    dropped_multilabel: tuple[str, ...]

    @property
    def classes(self) -> tuple[str, ...]:
        """Sorted distinct labels of the kept videos."""
        return tuple(sorted({v.label for v in self.videos}))


def find_data_dir(repo_root: Path = REPO_ROOT, environ: dict[str, str] | None = None) -> Path | None:
    """Returns the ``activitynet_captions`` directory, or None when it is not there.

    ``ACTIONHUB_SHARED`` (the ``shared`` directory, or the data directory itself) wins over
    ``<repo_root>/../shared``.
    """
    environ = os.environ if environ is None else environ
    candidates = []
    if environ.get(ENV_VAR):
        shared = Path(environ[ENV_VAR]).expanduser()
        candidates += [shared / SUBDIR, shared]
    candidates.append(repo_root.parent / "shared" / SUBDIR)
    for path in candidates:
        if all((path / f).is_file() for f in (CAPTION_FILES["train"], CAPTION_FILES["val_1"], LABEL_FILES["train"])):
            return path
    return None


def read_labels(csv_path: Path) -> dict[str, set[str]]:
    """Maps ``v_<id>`` to the set of action labels of its ``Action`` rows in a TSP ground-truth CSV."""
    labels: dict[str, set[str]] = {}
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"video-name", "action-label", "temporal-region-label"} - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{csv_path}: missing columns {sorted(missing)}")
        for row in reader:
            if row["temporal-region-label"] != "Action":
                continue  # "No action" rows are background gaps with an empty label
            labels.setdefault("v_" + row["video-name"], set()).add(row["action-label"].strip())
    return labels


def read_captions(json_path: Path) -> dict[str, tuple[str, ...]]:
    """Maps ``v_<id>`` to its stripped, non-empty sentences, in file order."""
    with open(json_path, encoding="utf-8") as fh:
        raw = json.load(fh)
    out = {}
    for vid, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sentences"), list):
            raise DataError(f"{json_path}: video {vid!r} has no 'sentences' list")
        out[vid] = tuple(s.strip() for s in entry["sentences"] if s.strip())
    return out


def join(name: str, captions: dict[str, tuple[str, ...]], labels: dict[str, set[str]]) -> Split:
    """Keeps captioned videos with exactly one label; drops multi-label ones; fails on unlabelled ones."""
    unlabelled = [v for v in captions if v not in labels]
    if unlabelled:
        raise DataError(f"{name}: {len(unlabelled)} caption videos have no label, e.g. {unlabelled[:3]}")
    videos, dropped = [], []
    for vid, sentences in captions.items():
        if len(labels[vid]) != 1:
            dropped.append(vid)
        elif sentences:
            videos.append(Video(vid, next(iter(labels[vid])), sentences))
    return Split(name, tuple(videos), tuple(dropped))


def load_split(data_dir: Path, name: str) -> Split:
    """Reads and joins one split (``train``, ``val_1`` or ``val_2``)."""
    if name not in CAPTION_FILES:
        raise DataError(f"unknown split {name!r}; expected one of {sorted(CAPTION_FILES)}")
    return join(name, read_captions(data_dir / CAPTION_FILES[name]), read_labels(data_dir / LABEL_FILES[name]))
