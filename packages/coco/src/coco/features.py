"""Visual features on disk: coco's memory-mapped format, and ER-style per-video ``.npy`` directories.

coco's format is a directory with three files:

- ``features.npy``: (N, F) float16 or float32, row i = video i; opened with ``mmap_mode="r"`` so a 212k x 2048
  table is paged in on demand, never read whole.
- ``index.csv`` (``video_id,label`` header, N rows in feature order; ``label`` is a class name) or
  ``index.parquet`` with the same two columns (read with pyarrow when present).
- ``meta.json``: ``{"format": "coco-video-features", "version": 1, "count": N, "dim": F, "dtype": ...,
  "class_names": [...]}``; ``class_names`` fixes the label order (labels not listed there are an error).
  Directories written by ``coco features`` add ``"recipe"``: how the features were made (preset, weights
  identity, frames, resolution, normalisation, library versions). Runs refuse to mix two recipes
  (:func:`check_same_recipe`).

ER-style directories hold one ``<video_id>.npy`` per video, (F,) or (T, F) (averaged over T), plus a label list
file of ``video_id<TAB or comma>label`` lines. :func:`load_npy_dir` reads one into memory;
:func:`convert_npy_dir` streams one into coco's format without holding all rows in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from actionhub.atomic import atomic_open, write_text
from coco.task import TaskError, VideoFeatures

FORMAT = "coco-video-features"
VERSION = 1


def _labels_to_ints(labels: Sequence[str], class_names: Sequence[str], where: str) -> np.ndarray:
    index = {n: i for i, n in enumerate(class_names)}
    unknown = sorted({lab for lab in labels if lab not in index})
    if unknown:
        raise TaskError(f"{where}: {len(unknown)} labels are not among the {len(class_names)} class names, "
                        f"e.g. {unknown[:5]}")
    return np.array([index[lab] for lab in labels], dtype=np.int64)


def write_features(directory: str | Path, features: np.ndarray, video_ids: Sequence[str], labels: Sequence[str],
                   class_names: Sequence[str] | None = None, recipe: dict | None = None) -> Path:
    """Writes features in coco's format.

    Args:
        directory: Created if missing.
        features: (N, F) float16/float32.
        video_ids: N ids.
        labels: N class names.
        class_names: Label order; default the sorted distinct labels.
        recipe: How the features were made (``meta.json``'s ``recipe``); None: not recorded.
    """
    features = np.asarray(features)
    if features.ndim != 2 or features.dtype not in (np.float16, np.float32):
        raise TaskError(f"features must be (N, F) float16/float32, got {features.shape} {features.dtype}")
    n = features.shape[0]
    if len(video_ids) != n or len(labels) != n:
        raise TaskError(f"{n} feature rows but {len(video_ids)} video ids and {len(labels)} labels")
    names = list(class_names) if class_names is not None else sorted(set(labels))
    _labels_to_ints(labels, names, str(directory))
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_open(out / "features.npy") as fh:
        np.save(fh, features)
    _write_index(out / "index.csv", video_ids, labels)
    _write_meta(out, n, features.shape[1], features.dtype, names, recipe)
    return out


def open_features(directory: str | Path, count: int, dim: int, dtype: str) -> np.memmap:
    """A new (count, dim) ``features.npy`` in ``directory``, memory-mapped for writing row by row.

    Finish the directory with :func:`finish_features` once the rows are written and flushed.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return np.lib.format.open_memmap(out / "features.npy", mode="w+", dtype=dtype, shape=(count, dim))


def finish_features(directory: str | Path, video_ids: Sequence[str], labels: Sequence[str],
                    class_names: Sequence[str] | None = None, recipe: dict | None = None) -> Path:
    """Writes ``index.csv`` and ``meta.json`` next to a ``features.npy`` made by :func:`open_features`."""
    out = Path(directory)
    table = np.load(out / "features.npy", mmap_mode="r")
    if table.shape[0] != len(video_ids) or len(labels) != len(video_ids):
        raise TaskError(f"{table.shape[0]} feature rows but {len(video_ids)} video ids and {len(labels)} labels")
    names = list(class_names) if class_names is not None else sorted(set(labels))
    _labels_to_ints(labels, names, str(directory))
    _write_index(out / "index.csv", video_ids, labels)
    _write_meta(out, table.shape[0], table.shape[1], table.dtype, names, recipe)
    return out


def _write_index(path: Path, video_ids: Sequence[str], labels: Sequence[str]) -> None:
    with atomic_open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["video_id", "label"])
        writer.writerows(zip(video_ids, labels, strict=True))


def _write_meta(out: Path, count: int, dim: int, dtype: np.dtype, names: Sequence[str],
                recipe: dict | None = None) -> None:
    meta = {"format": FORMAT, "version": VERSION, "count": count, "dim": dim, "dtype": np.dtype(dtype).name,
            "class_names": list(names)}
    if recipe is not None:
        meta["recipe"] = recipe
    write_text(out / "meta.json", json.dumps(meta, indent=1) + "\n")


def read_recipe(directory: str | Path) -> dict | None:
    """The ``recipe`` of a feature directory's meta.json (None when it records none, e.g. converted ER files)."""
    path = Path(directory) / "meta.json"
    if not path.is_file():
        raise TaskError(f"{directory}: missing meta.json (not a coco feature directory?)")
    return json.loads(path.read_text(encoding="utf-8")).get("recipe")


def recipe_identity(recipe: dict | None) -> dict | None:
    """What makes two recipes' features comparable: the preset and the weights (sha256 or hub name + revision).

    Where the weights file lies, library versions and the stored dtype do not change what a feature means.
    """
    if recipe is None:
        return None
    weights = {k: v for k, v in recipe.get("weights", {}).items() if k != "path"}
    return json.loads(json.dumps({"preset": recipe.get("preset"), "weights": weights}))  # tuples -> lists, as stored


def describe_recipe(recipe: dict | None) -> str:
    """A short human name of a recipe for messages: ``vits14 (file sha256 1a2b3c4d)``."""
    if recipe is None:
        return "no recorded recipe"
    preset, weights = recipe.get("preset") or {}, recipe.get("weights") or {}
    which = weights.get("sha256", "")[:8] or weights.get("name") or weights.get("kind", "?")
    return f"{preset.get('name', '?')} ({weights.get('kind', '?')} {which})"


def check_same_recipe(recipes: dict[str, dict | None]) -> None:
    """Raises :class:`TaskError` when the named feature sources were not all made with the same recipe.

    Args:
        recipes: ``{what: recipe or None}``, e.g. ``{"train features": ..., "checkpoint": ...}``.
    """
    items = list(recipes.items())
    for name, recipe in items[1:]:
        if recipe_identity(recipe) != recipe_identity(items[0][1]):
            raise TaskError(f"features of different recipes mixed in one run: {items[0][0]} has "
                            f"{describe_recipe(items[0][1])}, {name} has {describe_recipe(recipe)}")


def _read_index(directory: Path) -> tuple[list[str], list[str]]:
    if (directory / "index.parquet").is_file():
        import pyarrow.parquet as pq

        table = pq.read_table(directory / "index.parquet", columns=["video_id", "label"])
        return [str(v) for v in table.column("video_id").to_pylist()], table.column("label").to_pylist()
    if not (directory / "index.csv").is_file():
        raise TaskError(f"{directory}: no index.csv or index.parquet")
    with open(directory / "index.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["video_id"] for r in rows], [r["label"] for r in rows]


def load_features(directory: str | Path) -> VideoFeatures:
    """Opens a directory in coco's format; ``features`` stays memory-mapped (read-only)."""
    directory = Path(directory)
    for required in ("features.npy", "meta.json"):
        if not (directory / required).is_file():
            raise TaskError(f"{directory}: missing {required} (not a coco feature directory?)")
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise TaskError(f"{directory}/meta.json: format {meta.get('format')!r}, expected {FORMAT!r}")
    features = np.load(directory / "features.npy", mmap_mode="r")
    video_ids, labels = _read_index(directory)
    if features.ndim != 2 or features.shape[0] != len(video_ids):
        raise TaskError(f"{directory}: features.npy has {features.shape[0]} rows but the index has "
                        f"{len(video_ids)} videos")
    if meta.get("count") != features.shape[0]:
        raise TaskError(f"{directory}: meta.json says {meta.get('count')} videos but features.npy has "
                        f"{features.shape[0]} rows")
    names = tuple(meta["class_names"])
    return VideoFeatures(features, _labels_to_ints(labels, names, str(directory)), names, tuple(video_ids))


def read_label_list(path: str | Path) -> list[tuple[str, str]]:
    """(video_id, label) pairs from a file of ``video_id<TAB or comma>label`` lines; blank lines skipped.

    A first line ``video_id,label`` (or tab-separated) is taken as a header.
    """
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        sep = "\t" if "\t" in line else ","
        parts = line.split(sep, 1)
        if len(parts) != 2:
            raise TaskError(f"{path}:{number}: expected 'video_id<TAB or comma>label', got {line!r}")
        if number == 1 and parts[0].strip() == "video_id":
            continue
        pairs.append((parts[0].strip(), parts[1].strip()))
    return pairs


def _video_vector(path: Path) -> np.ndarray:
    array = np.load(path)
    if array.ndim == 2:  # (T, F) clip features: temporal average
        return array.mean(axis=0)
    if array.ndim != 1:
        raise TaskError(f"{path}: expected (F,) or (T, F), got shape {array.shape}")
    return array


def _npy_paths(npy_dir: Path, label_file: str | Path) -> tuple[list[tuple[str, str]], list[Path]]:
    pairs = read_label_list(label_file)
    paths = [npy_dir / f"{vid}.npy" for vid, _ in pairs]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        n_files = len(list(npy_dir.glob("*.npy")))
        raise TaskError(f"{label_file} lists {len(pairs)} videos but {len(missing)} have no .npy file in {npy_dir} "
                        f"({n_files} files there), e.g. {missing[:5]}")
    return pairs, paths


def load_npy_dir(npy_dir: str | Path, label_file: str | Path, class_names: Sequence[str] | None = None,
                 dtype: str = "float32") -> VideoFeatures:
    """Reads an ER-style per-video ``.npy`` directory into memory (videos in label-file order)."""
    pairs, paths = _npy_paths(Path(npy_dir), label_file)
    names = tuple(class_names) if class_names is not None else tuple(sorted({lab for _, lab in pairs}))
    labels = _labels_to_ints([lab for _, lab in pairs], names, str(label_file))
    features = np.stack([_video_vector(p) for p in paths]).astype(dtype)
    return VideoFeatures(features, labels, names, tuple(vid for vid, _ in pairs))


def convert_npy_dir(npy_dir: str | Path, label_file: str | Path, out_dir: str | Path,
                    class_names: Sequence[str] | None = None, dtype: str = "float16") -> Path:
    """Converts an ER-style directory to coco's format, one row at a time into a memory-mapped output."""
    pairs, paths = _npy_paths(Path(npy_dir), label_file)
    labels = [lab for _, lab in pairs]
    names = list(class_names) if class_names is not None else sorted(set(labels))
    _labels_to_ints(labels, names, str(label_file))
    if not paths:
        raise TaskError(f"{label_file}: no videos")
    first = _video_vector(paths[0])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = np.lib.format.open_memmap(out / "features.npy", mode="w+", dtype=dtype, shape=(len(paths), first.size))
    for i, path in enumerate(paths):
        row = first if i == 0 else _video_vector(path)
        if row.shape != first.shape:
            raise TaskError(f"{path}: feature width {row.shape[0]} differs from {paths[0].name}'s {first.shape[0]}")
        table[i] = row
    table.flush()
    del table
    _write_index(out / "index.csv", [vid for vid, _ in pairs], labels)
    _write_meta(out, len(paths), first.size, np.dtype(dtype), names)
    return out


def cross_dataset_warning(recipe: dict | None) -> str:
    """The warning of a cross-dataset run (train on Kinetics-664, test on UCF101/HMDB51) on these features.

    A backbone pre-trained on Kinetics has seen classes that overlap UCF101/HMDB51 test classes, so "unseen"
    test classes are not unseen by the features; E2E (Brattoli et al., CVPR 2020) trained R(2+1)D from scratch
    on its Kinetics-664 for this reason.
    """
    if recipe is None:
        return ("warning: cross-dataset protocol on features that record no recipe: if their backbone was "
                "pre-trained on Kinetics (or any set sharing classes with UCF101/HMDB51), test classes are not "
                "unseen; see docs/coco.md")
    seen = recipe.get("pretrained_on") or (recipe.get("preset") or {}).get("pretrained_on", "unknown data")
    kinetics = "kinetics" in seen.lower()
    return (f"warning: cross-dataset protocol on {describe_recipe(recipe)} features, pre-trained on {seen}"
            + (": Kinetics shares classes with the UCF101/HMDB51 test classes, so they are not unseen by the "
               "backbone (E2E trained R(2+1)D from scratch on Kinetics-664 for this reason); see docs/coco.md"
               if kinetics else ": check that it shares no classes with the UCF101/HMDB51 test classes"))
