"""Class names and action definitions of the benchmark datasets.

ER definitions and the Kinetics-ZSAR files are coco's package data; the datasets' original class lists
(Kinetics label maps, UCF101/HMDB51 labels, Olympic Sports) are actionhub's (:data:`actionhub.sources.SOURCES`),
read through it so that one copy of each list exists.

Definitions are ElaborativeRehearsal's (ER) dictionary glosses (see ``data/ATTRIBUTION.md``). We use the
``defn`` field, the natural text, not ``cleaned_defn``: the latter is ER's pre-tokenised copy with spaces around
punctuation (``"put or spread ( a substance )"``), made for ER's own tokenizer; a BERT WordPiece tokenizer
splits punctuation itself and was trained on natural text. Corrections live in ``data/definition_overrides.json``
with a reason each; a ``null`` override means "use the class name as its definition" (we never write a
definition of our own). Class names are ER's ``word`` field (lower case, spaced: ``"apply eye makeup"``);
:func:`label_aliases` maps the original dataset labels (``ApplyEyeMakeup``, ``brush_hair``) onto them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from actionhub.sources import SOURCES, compact


@dataclass(frozen=True)
class DatasetFiles:
    """Where one dataset's class names and definitions live.

    Attributes:
        definitions: ER ``classes_label_defn.json`` (relative to ``coco/data``) whose ``word`` order gives the
            class order, or None.
        source: Name of the actionhub class list (:data:`actionhub.sources.SOURCES`) holding the original
            labels, or None. Class lists are actionhub's package data; coco keeps no copy.
    """

    definitions: str | None
    source: str | None


DATASETS: dict[str, DatasetFiles] = {
    "kinetics-zsar": DatasetFiles("kinetics_zsar/classes620_label_defn.json", None),
    "kinetics400": DatasetFiles(None, "kinetics400"),
    "kinetics600": DatasetFiles(None, "kinetics600"),
    "kinetics700": DatasetFiles(None, "kinetics700"),
    "ucf101": DatasetFiles("ucf101/classes_label_defn.json", "ucf101"),
    "hmdb51": DatasetFiles("hmdb51/classes_label_defn.json", "hmdb51"),
    # actionhub's Olympic Sports list is ER's definitions file itself: names and definitions come from it.
    "olympic-sports": DatasetFiles(None, "olympic"),
}
_ER_FORMAT_SOURCES = {"olympic"}

# Kinetics label maps carry no definitions of their own: ER's 620 Kinetics definitions cover them by name.
_KINETICS_DEFINITIONS = "kinetics_zsar/classes620_label_defn.json"


def read_data(relative: str) -> str:
    """Text of a package-data file, e.g. ``read_data("kinetics_zsar/tst_class_idxs.json")``."""
    return resources.files("coco").joinpath("data", relative).read_text(encoding="utf-8")


def source_labels(source: str) -> tuple[str, ...]:
    """The original labels of an actionhub class list, e.g. ``source_labels("ucf101")[0] == "ApplyEyeMakeup"``."""
    return tuple(SOURCES[source].names())


def _files(dataset: str) -> DatasetFiles:
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; known: {sorted(DATASETS)}")
    return DATASETS[dataset]


@cache
def _entries(relative: str) -> tuple[dict, ...]:
    return tuple(json.loads(read_data(relative)))


@cache
def _er_entries(dataset: str) -> tuple[dict, ...]:
    """ER definition entries (``word``, ``defn``) of a dataset: coco's file, or actionhub's ER-format list."""
    files = _files(dataset)
    if files.definitions is not None:
        return _entries(files.definitions)
    if files.source in _ER_FORMAT_SOURCES:
        return tuple(json.loads(SOURCES[files.source].text()))
    return ()


def class_names(dataset: str) -> tuple[str, ...]:
    """The dataset's class names in its canonical order (ER's order where ER ships the dataset)."""
    entries = _er_entries(dataset)
    if entries:
        return tuple(e["word"] for e in entries)
    return source_labels(_files(dataset).source)


@cache
def _overrides() -> dict[str, dict[str, dict]]:
    return json.loads(read_data("definition_overrides.json"))


def overrides(dataset: str) -> dict[str, str]:
    """Classes whose shipped definition we corrected, mapped to the reason."""
    return {name: o["reason"] for name, o in _overrides().get(dataset, {}).items()}


def definitions(dataset: str) -> dict[str, str]:
    """Class name -> definition text (``defn``), overrides applied.

    Kinetics-400/600/700 classes take the definition of the ER Kinetics class of the same name; classes ER
    does not cover are absent (consumers fall back to the class name).
    """
    entries = _er_entries(dataset) or _entries(_KINETICS_DEFINITIONS)
    by_word = {e["word"]: e["defn"] for e in entries}
    found = {n: by_word[n] for n in class_names(dataset) if n in by_word}
    for name, override in _overrides().get(dataset, {}).items():
        found[name] = override["definition"] if override["definition"] is not None else name
    return found


def label_aliases(dataset: str) -> dict[str, str]:
    """Original dataset label -> coco class name, e.g. ``"ApplyEyeMakeup" -> "apply eye makeup"``.

    Labels match names when equal after lower-casing and dropping everything but letters and digits (checked
    one-to-one for UCF101 and HMDB51). Every class name also maps to itself.
    """
    names = class_names(dataset)
    aliases = {n: n for n in names}
    files = _files(dataset)
    if files.source is None or files.definitions is None:
        return aliases
    by_key = {compact(n): n for n in names}
    for label in source_labels(files.source):
        if compact(label) not in by_key:
            raise ValueError(f"{dataset}: label {label!r} matches no class name")
        aliases[label] = by_key[compact(label)]
    return aliases
