"""Zero-shot evaluation protocols as a registry: ``PROTOCOLS[protocol][dataset]`` and :func:`get`.

- ``intra/kinetics-zsar``: ER's 3 splits of the 620 Kinetics-ZSAR classes: 400 seen (Kinetics-400), 60 unseen
  validation classes for model selection and 160 unseen test classes for reporting (package data, ER's files).
- ``intra/ucf101``, ``intra/hmdb51``: 50 random splits, half the classes unseen (UCF101 51 seen / 50 unseen,
  HMDB51 26 / 25). The original random splits (Xu et al.) are not public, so ours are drawn by
  :func:`random_splits` from a fixed seed and shipped as ``data/splits/*.json`` (``tools/make_coco_splits.py``).
- ``cross/ucf101``, ``cross/hmdb51``: E2E-ZSAR's "Kinetics-664" protocol: train on the Kinetics-700 classes far
  from every UCF101 and HMDB51 class (:func:`kinetics_cross_train`, 661 with our word vectors), test on half the
  target classes (50 of 101, 25 of 51), 10 random draws shipped the same way.

Class names are those of :mod:`coco.definitions` (ER's spelling for UCF101/HMDB51, Kinetics label names).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from coco.definitions import class_names, definitions, read_data
from coco.task import Split

SEED = 11654  # from the paper's arXiv id 2401.11654; each draw list seeds random.Random(f"{SEED}:{name}")
INTRA_DRAWS = 50
CROSS_DRAWS = 10
KINETICS_CROSS_TRAIN = "kinetics_cross_train.txt"  # package data: see kinetics_cross_train()


def random_splits(names: tuple[str, ...], n_unseen: int, n_draws: int, key: str) -> list[tuple[list, list]]:
    """Deterministic random (seen, unseen) partitions of ``names``.

    ``random.Random`` seeded with the string ``f"{SEED}:{key}"`` (Python hashes string seeds with SHA-512, so
    the draws do not depend on PYTHONHASHSEED or the platform) shuffles the sorted names once per draw; the
    first ``n_unseen`` are unseen. Both lists keep the canonical order of ``names``. Draws are distinct.
    """
    rng = random.Random(f"{SEED}:{key}")
    order = {n: i for i, n in enumerate(names)}
    draws: list[tuple[list, list]] = []
    seen_sets: set[frozenset] = set()
    while len(draws) < n_draws:
        shuffled = sorted(names)
        rng.shuffle(shuffled)
        unseen = frozenset(shuffled[:n_unseen])
        if unseen in seen_sets:
            continue
        seen_sets.add(unseen)
        draws.append((sorted(set(names) - unseen, key=order.get), sorted(unseen, key=order.get)))
    return draws


def _file_splits(relative: str) -> tuple[Split, ...]:
    doc = json.loads(read_data(relative))
    splits = []
    for s in doc["splits"]:
        # Cross-dataset files name the shared training list instead of repeating it in every draw.
        seen = kinetics_cross_train() if s["seen"] == KINETICS_CROSS_TRAIN else tuple(s["seen"])
        splits.append(Split(s["name"], seen, tuple(s["unseen"]), tuple(s.get("val", ()))))
    return tuple(splits)


def kinetics_zsar() -> tuple[Split, ...]:
    """ER's Kinetics-ZSAR splits: (seen, test unseen, validation unseen) indices into the 620 class names."""
    names = class_names("kinetics-zsar")
    trn, val, tst = (json.loads(read_data(f"kinetics_zsar/{p}_class_idxs.json")) for p in ("trn", "val", "tst"))
    return tuple(Split(f"kinetics-zsar/{k + 1}", tuple(names[i] for i in trn[k]), tuple(names[i] for i in tst[k]),
                       tuple(names[i] for i in val[k])) for k in range(len(trn)))


def kinetics_cross_train() -> tuple[str, ...]:
    """Kinetics-700 classes kept for cross-dataset training (:data:`KINETICS_CROSS_TRAIN`, Kinetics-700 order).

    E2E-ZSAR's protocol is called Kinetics-664 after the 664 classes its word2vec (GoogleNews) filter kept. Their
    list is not published and word2vec is not available offline, so ``tools/make_kinetics_cross_train.py`` reruns
    the filter with GloVe 6B 50-d (:mod:`coco.classfilter`). Its threshold 0.06 keeps 661: the thresholds that keep
    exactly 664 would also keep ``throwing discus`` and ``jetskiing``, the same actions as UCF101 test classes,
    which the filter exists to remove (docs/coco.md, "Kinetics-664").
    """
    return tuple(line for line in read_data(KINETICS_CROSS_TRAIN).splitlines() if line.strip())


@dataclass(frozen=True)
class Protocol:
    """One entry of the registry.

    Attributes:
        description: One line for ``--help`` and docs.
        datasets: Datasets whose class names (and definitions) the splits use, training classes' first.
        splits: Returns the splits.
    """

    description: str
    datasets: tuple[str, ...]
    splits: Callable[[], tuple[Split, ...]]


PROTOCOLS: dict[str, dict[str, Protocol]] = {
    "intra": {
        "kinetics-zsar": Protocol("ER Kinetics-ZSAR: 3 splits, 400 seen / 60 val / 160 test unseen",
                                  ("kinetics-zsar",), kinetics_zsar),
        "ucf101": Protocol("UCF101: 50 seeded random splits, 51 seen / 50 unseen", ("ucf101",),
                           lambda: _file_splits("splits/ucf101_50x50.json")),
        "hmdb51": Protocol("HMDB51: 50 seeded random splits, 26 seen / 25 unseen", ("hmdb51",),
                           lambda: _file_splits("splits/hmdb51_50x50.json")),
    },
    "cross": {
        "ucf101": Protocol("Kinetics-664 protocol (661 Kinetics-700 classes) -> UCF101: 10 seeded draws of 50 unseen",
                           ("kinetics700", "ucf101"), lambda: _file_splits("splits/cross_ucf101.json")),
        "hmdb51": Protocol("Kinetics-664 protocol (661 Kinetics-700 classes) -> HMDB51: 10 seeded draws of 25 unseen",
                           ("kinetics700", "hmdb51"), lambda: _file_splits("splits/cross_hmdb51.json")),
    },
}


def get(protocol: str, dataset: str) -> tuple[Split, ...]:
    """The splits of ``PROTOCOLS[protocol][dataset]``, with a clear error for unknown names."""
    if protocol not in PROTOCOLS:
        raise KeyError(f"unknown protocol {protocol!r}; known: {sorted(PROTOCOLS)}")
    if dataset not in PROTOCOLS[protocol]:
        raise KeyError(f"protocol {protocol!r} has no dataset {dataset!r}; known: {sorted(PROTOCOLS[protocol])}")
    return PROTOCOLS[protocol][dataset].splits()


def definitions_for(protocol: str, dataset: str) -> dict[str, str]:
    """Name -> definition over the datasets of ``PROTOCOLS[protocol][dataset]`` (classes without one are absent)."""
    get(protocol, dataset)  # validates the names
    merged: dict[str, str] = {}
    for source in PROTOCOLS[protocol][dataset].datasets:
        merged.update(definitions(source))
    return merged


def generate_split_files() -> dict[str, dict]:
    """The content of every ``data/splits/*.json`` file, regenerated from :data:`SEED` (file name -> JSON)."""
    files: dict[str, dict] = {}
    for dataset in ("ucf101", "hmdb51"):
        names = class_names(dataset)
        for kind, n_draws, prefix in (("intra", INTRA_DRAWS, dataset),
                                      ("cross", CROSS_DRAWS, f"kinetics-cross-{dataset}")):
            draws = random_splits(names, len(names) // 2, n_draws, key=f"{kind}:{dataset}")
            splits = [{"name": f"{prefix}/{i + 1}", "seen": seen if kind == "intra" else KINETICS_CROSS_TRAIN,
                       "unseen": unseen} for i, (seen, unseen) in enumerate(draws)]
            file = f"{dataset}_50x50.json" if kind == "intra" else f"cross_{dataset}.json"
            files[file] = {"generator": "coco.protocols.random_splits (tools/make_coco_splits.py)", "seed": SEED,
                           "key": f"{kind}:{dataset}", "splits": splits}
    return files
