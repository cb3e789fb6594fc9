"""Experiment 3: caption-as-video zero-shot recognition with CoCo over 10 random 50/50 class splits.

Videos are caption paragraphs encoded by a frozen "video" encoder (``videofeats``); classes are texts
encoded by coco's frozen MiniLM (``adapters.class_texts``): the definition, or the class name where none
exists (AD), and the mean of the class's top-k descriptions from experiment 2's build (VC). Training videos
are the train-split videos of the seen classes; test videos are the val_1 videos of the unseen classes.

Two references need no gradient training, because a cosine between the two encoders' outputs means nothing:
``untrained CoCo`` (coco's model with its random initial projections: what the frozen encoders give before
any alignment is learned; about chance) and ``least squares`` (a closed-form ridge map from video features
to the fused class-text feature of each training video's class, fitted on the seen classes: the best a
linear alignment does without CoCo's contrastive losses).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.activitynet import adapters

# Row label -> coco preset (coco.config.PRESETS): the paper's ablations.
VARIANTS: dict[str, str] = {"AD": "ad", "VC": "vc", "AD+VC": "ad+vc",
                            "AD+CIM": "ad+cim", "VC+CIM": "vc+cim", "AD+VC+CIM": "coco"}
BASELINES = ("untrained CoCo", "least squares")


@dataclass(frozen=True)
class ZeroShotConfig:
    """Settings of experiment 3.

    Attributes:
        n_splits: Random 50/50 seen/unseen splits of the classes.
        seed: Seeds the splits (split i trains with seed + i).
        epochs: CoCo training epochs per run.
        batch_size: CoCo batch size.
        alpha: Weight of AD against VC in the fused class feature (coco's default), for the baselines.
        ridge: L2 penalty of the least-squares baseline.
        variants: Which of :data:`VARIANTS` to train.
    """

    n_splits: int = 10
    seed: int = 0
    epochs: int = 15
    batch_size: int = 512
    alpha: float = 0.5
    ridge: float = 1.0
    variants: tuple[str, ...] = tuple(VARIANTS)

    def __post_init__(self) -> None:
        if self.n_splits < 1 or self.epochs < 1 or self.batch_size < 1 or self.ridge < 0:
            raise ValueError(f"invalid zero-shot settings: {self}")
        unknown = set(self.variants) - set(VARIANTS)
        if unknown:
            raise ValueError(f"unknown variants {sorted(unknown)}; known: {list(VARIANTS)}")


@dataclass(frozen=True)
class Videos:
    """Encoded videos: (N, F) features, (N,) labels into the benchmark's class list, N ids."""

    features: np.ndarray
    labels: np.ndarray
    ids: tuple[str, ...]

    def of(self, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
        """The (features, labels, ids) of the videos whose label is in ``classes`` (int indices)."""
        keep = np.isin(self.labels, classes)
        return self.features[keep], self.labels[keep], tuple(np.asarray(self.ids)[keep].tolist())


def class_splits(n_classes: int, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_splits`` random (seen, unseen) halves of ``range(n_classes)``, sorted, from one seeded generator."""
    rng = np.random.default_rng(seed)
    half = n_classes // 2
    out = []
    for _ in range(n_splits):
        perm = rng.permutation(n_classes)
        out.append((np.sort(perm[:half]), np.sort(perm[half:])))
    return out


def least_squares_scores(train_x: np.ndarray, targets: np.ndarray, test_x: np.ndarray, classes: np.ndarray,
                         ridge: float) -> np.ndarray:
    """Cosines between ridge-mapped test videos and class features, (N_test, C).

    W = argmin ||X W - Y||^2 + ridge ||W||^2 = (X^T X + ridge I)^-1 X^T Y with X (N, F) training videos and
    Y (N, T) their classes' text features; the prediction for a test video x is argmax_c cos(x W, classes[c]).
    """
    x = train_x.astype(np.float64)
    w = np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ targets.astype(np.float64))  # (F, T)
    mapped = test_x.astype(np.float64) @ w  # (N_test, T)
    mapped /= np.maximum(np.linalg.norm(mapped, axis=1, keepdims=True), 1e-12)
    c = classes.astype(np.float64) / np.maximum(np.linalg.norm(classes, axis=1, keepdims=True), 1e-12)
    return mapped @ c.T


def summarize(values: Sequence[float]) -> dict:
    """Mean and sample standard deviation (ddof=1; 0 for one value), as coco reports over splits."""
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0}


def run(config: ZeroShotConfig, classes: Sequence[str], texts, train: Videos, test: Videos,
        log: Callable[[str], None] = print) -> dict:
    """Every baseline and variant on every split; per-split metrics and their mean +- std.

    Args:
        config: Settings.
        classes: Class names; video labels index them.
        texts: ``coco.task.ClassTexts`` covering ``classes``.
        train: Train-split videos (only the seen classes' are used in each split).
        test: Evaluation videos (only the unseen classes' are used in each split).
        log: Progress lines go here.
    """
    rows = {name: [] for name in BASELINES + tuple(config.variants)}
    seconds = dict.fromkeys(rows, 0.0)
    sizes: dict[str, list[int]] = {"train": [], "test": []}
    definition = texts.definition.numpy()
    fused = config.alpha * definition + (1 - config.alpha) * texts.content.numpy()  # (C, T), rows = classes
    for i, (seen, unseen) in enumerate(class_splits(len(classes), config.n_splits, config.seed)):
        seen_names, unseen_names = [classes[j] for j in seen], [classes[j] for j in unseen]
        task = adapters.make_task(f"activitynet-captions/{i}", seen_names, unseen_names, texts,
                                  train.of(seen), test.of(unseen), classes)
        sizes["train"].append(task.train.features.shape[0])
        sizes["test"].append(task.test.features.shape[0])
        start = time.perf_counter()
        rows["untrained CoCo"].append(adapters.untrained_evaluate(task, config.alpha, config.seed + i))
        seconds["untrained CoCo"] += time.perf_counter() - start
        start = time.perf_counter()
        train_x, train_y, _ = train.of(seen)
        test_x, test_y, _ = test.of(unseen)
        scores = least_squares_scores(train_x, fused[train_y], test_x, fused[unseen], config.ridge)
        position = np.searchsorted(unseen, test_y)  # unseen is sorted: index of each video's class
        rows["least squares"].append(adapters.accuracy(scores, position, unseen_names))
        seconds["least squares"] += time.perf_counter() - start
        for variant in config.variants:
            start = time.perf_counter()
            rows[variant].append(adapters.train_and_evaluate(VARIANTS[variant], task, config.epochs,
                                                             config.batch_size, config.seed + i))
            seconds[variant] += time.perf_counter() - start
        log(f"  split {i}: " + ", ".join(f"{k} {v[-1]['top1']:.1f}" for k, v in rows.items()))
    results = {name: {"top1": summarize([m["top1"] for m in ms]), "top5": summarize([m["top5"] for m in ms]),
                      "per_split_top1": [round(m["top1"], 2) for m in ms], "seconds": round(seconds[name], 1)}
               for name, ms in rows.items()}
    return {"variants": results, "cim_gain_top1": cim_gains(rows),
            "train_videos_per_split": summarize(sizes["train"]),
            "test_videos_per_split": summarize(sizes["test"])}


def cim_gains(rows: Mapping[str, Sequence[Mapping]]) -> dict[str, dict]:
    """Paired per-split top-1 change from adding CIM to each alignment variant run (``X`` -> ``X+CIM``).

    Returns ``{"X": {"mean", "std", "splits_better", "splits"}}`` for every X whose both runs exist.
    """
    out = {}
    for base in ("AD", "VC", "AD+VC"):
        with_cim = base + "+CIM"
        if base in rows and with_cim in rows:
            diff = [b["top1"] - a["top1"] for a, b in zip(rows[base], rows[with_cim], strict=True)]
            out[base] = summarize(diff) | {"splits_better": int(sum(d > 0 for d in diff)), "splits": len(diff)}
    return out


def class_descriptions(descriptions: Sequence[Mapping], actions: Sequence[Mapping], classes: Sequence[str],
                       k: int, source: str = "activitynet") -> dict[str, list[str]]:
    """Each class's top-k published descriptions (by relevance rank) from experiment 2's build.

    A class shared by several actions (it is an alias of each) takes the best ranks across them; a class
    with no action gets no descriptions (``class_texts`` then falls back to its definition/name).
    """
    by_action: dict[int, list[tuple[int, str]]] = {}
    for row in descriptions:
        by_action.setdefault(int(row["action_id"]), []).append((int(row["rank"]), row["description"]))
    pooled: dict[str, list[tuple[int, str]]] = {c: [] for c in classes}
    for row in actions:
        for alias in row["aliases"]:
            if alias["source"] == source and alias["name"] in pooled:
                pooled[alias["name"]] += by_action.get(int(row["action_id"]), [])
    return {c: [text for _, text in sorted(set(p))[:k]] for c, p in pooled.items()}
