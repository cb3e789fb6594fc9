"""The benchmark's only contact with the project's packages: one small function per dependency.

Each function imports lazily, so a missing or renamed piece fails that experiment (recorded as "not run"
with the error) instead of the whole benchmark, and a rename upstream is a one-line change here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# (texts, action names) -> (len(names), len(texts)) relevance scores.
MatrixScorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]


# -- actionhub.relevance (experiment 1) ---------------------------------------------------------------------

SEMANTIC = ("word-vectors", "static", "encoder")


def relevance_scorers() -> dict[str, MatrixScorer]:
    """The semantic scorers of ``actionhub.relevance.SCORERS`` as (names x texts) score-matrix functions.

    The registry's scorers score (description, its action) pairs; ranking all N sentences for all A actions
    through that interface would encode each sentence A times. These scorers are cosines of embeddings, so
    the matrix comes from the same embedding code (``WordVectors.mean_vectors``, ``StaticEmbedding.encode``,
    ``Encoder.encode``) in one product; :func:`check_against_registry` verifies it against the pair scorer.
    The fusion scorers need a site rank and are computed from these matrices (``benchmarks.activitynet.fusion``).
    """
    from actionhub import normalize, relevance

    def word_vectors(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
        from actionhub.assets import load_vectors

        vectors = relevance.WordVectors(load_vectors(), normalize.stop_words())
        t = relevance.unit_rows(vectors.mean_vectors(list(texts))[0])  # (N, 50)
        a = relevance.unit_rows(vectors.mean_vectors(list(names))[0])  # (A, 50)
        return (a @ t.T).astype(np.float32)

    def static(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
        from actionhub.static import StaticEmbedding

        model = StaticEmbedding.load()
        return (model.encode(list(names)) @ model.encode(list(texts)).T).astype(np.float32)  # unit rows

    def encoder(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
        from actionhub.encoder import Encoder

        model = Encoder.load()
        return (model.encode(list(names)) @ model.encode(list(texts)).T).astype(np.float32)  # unit rows

    fast = {"word-vectors": word_vectors, "static": static, "encoder": encoder}
    return {name: fast[name] for name in SEMANTIC if name in relevance.SCORERS}


def fusion_settings() -> dict:
    """The library's default scorer and its fusion constants."""
    from actionhub import relevance

    return {"default_scorer": relevance.DEFAULT_SCORER, "weight": relevance.FUSION_WEIGHT, "k": relevance.FUSION_K}


def check_against_registry(name: str, matrix: np.ndarray, texts: Sequence[str], names: Sequence[str],
                           sample: int = 64, seed: int = 0) -> float:
    """Largest |matrix entry - registry pair score| over a random sample of (action, text) pairs."""
    import pyarrow as pa

    from actionhub import relevance

    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(names), sample)
    t = rng.integers(0, len(texts), sample)
    table = pa.table({"description": pa.array([texts[i] for i in t], pa.string()), "action_id": a})
    pair = relevance.SCORERS[name]()(table, dict(enumerate(names)))
    return float(np.max(np.abs(matrix[a, t] - pair)))


def rescore(descriptions: Sequence[dict], names: dict[int, str], scorer: str) -> list[dict]:
    """The published descriptions re-ranked within their actions by another registry scorer (same candidates)."""
    import pyarrow as pa

    from actionhub import relevance

    table = pa.table({"description": [r["description"] for r in descriptions],
                      "action_id": pa.array([int(r["action_id"]) for r in descriptions], pa.int32()),
                      "site_rank": pa.array([r["site_rank"] for r in descriptions], pa.int32())})
    rel = relevance.SCORERS[scorer]()(table, names)
    rank = relevance.ranks(np.asarray(table["action_id"]), rel)
    return [{**row, "rank": int(r)} for row, r in zip(descriptions, rank, strict=True)]


# -- actionhub.pipeline (experiment 2) ----------------------------------------------------------------------

def build_from_corpus(corpus: Path, out_dir: Path, source: str, max_items: int) -> tuple[Path, dict]:
    """``actionhub build --sources SOURCE --site corpus --base-url CORPUS --out OUT_DIR`` (resumable: a rerun with
    the same settings skips finished stages); returns (the published dataset dir, per-stage state/seconds/report).
    """
    from actionhub.harvest import HarvestConfig
    from actionhub.pipeline import BuildConfig, build

    harvest = HarvestConfig.from_options(site="corpus", base_url=str(corpus), max_items=max_items, rate=0.0,
                                         progress=False)
    config = BuildConfig(out=out_dir, sources=(source,), harvest=harvest)
    summary = build(config)
    return summary.dataset, summary.stages


def read_published(dataset_dir: Path, cache_dir: Path) -> tuple[list[dict], list[dict]]:
    """(descriptions rows, actions rows) of a published ActionHub dataset, through ``actionhub.load``."""
    from actionhub import load

    descriptions = load(dataset_dir, "descriptions", cache_dir=str(cache_dir))
    actions = load(dataset_dir, "actions", cache_dir=str(cache_dir))
    return (descriptions.select_columns(["action_id", "asset_id", "rank", "site_rank", "description"]).to_list(),
            actions.select_columns(["action_id", "action", "aliases"]).to_list())


def read_site_ranks(build_dir: Path) -> list[dict]:
    """The harvest's raw rows (``action_id``, ``asset_id``, ``rank`` = the site's own BM25 rank) of a build."""
    import pyarrow.dataset as ds

    from actionhub.pipeline import WORK_DIR

    table = ds.dataset(build_dir / WORK_DIR / "harvest" / "raw", format="parquet").to_table(
        columns=["action_id", "asset_id", "rank", "status"])
    return [r for r in table.to_pylist() if r["status"] == "ok"]


# -- coco (experiment 3) ------------------------------------------------------------------------------------

def kinetics_definitions() -> dict[str, str]:
    """ER's Kinetics-ZSAR definitions by lower-case class name (the classes ActivityNet shares with Kinetics)."""
    from coco.definitions import definitions

    return {name.lower(): text for name, text in definitions("kinetics-zsar").items()}


def class_texts(names: Sequence[str], definitions: Mapping[str, str], descriptions: Mapping[str, Sequence[str]],
                cache_dir: Path, k: int) -> Any:
    """``coco.task.ClassTexts`` of the bundled MiniLM: definition (or name) and mean top-k description features."""
    from coco.textfeats import class_texts as build

    return build(tuple(names), dict(definitions), {n: list(d) for n, d in descriptions.items()},
                 cache_dir=cache_dir, k=k)


def make_task(name: str, seen: Sequence[str], unseen: Sequence[str], texts: Any,
              train: tuple[np.ndarray, np.ndarray, Sequence[str]], test: tuple[np.ndarray, np.ndarray, Sequence[str]],
              classes: Sequence[str]) -> Any:
    """A ``coco.task.Task``; ``train``/``test`` are (features (N, F), labels (N,) into ``classes``, video ids)."""
    from coco.task import Split, Task, VideoFeatures

    videos = {k: VideoFeatures(x, y, tuple(classes), tuple(ids)) for k, (x, y, ids) in (("train", train),
                                                                                        ("test", test))}
    return Task(Split(name, tuple(seen), tuple(unseen)), texts, videos["train"], videos["test"])


def train_and_evaluate(preset: str, task: Any, epochs: int, batch_size: int, seed: int) -> dict:
    """Trains one coco preset (``ad``, ``vc``, ``ad+vc``, ``ad+cim``, ``vc+cim``, ``coco``) on CPU; test metrics."""
    from coco.config import preset as make_config
    from coco.train import train

    config = make_config(preset, epochs=epochs, batch_size=batch_size, seed=seed, device="cpu", precision="fp32")
    return train(config, task).metrics


def untrained_evaluate(task: Any, alpha: float, seed: int) -> dict:
    """Test metrics of a randomly initialised CoCo (frozen encoders + untrained projections), on CPU."""
    import torch

    from coco.evaluate import evaluate
    from coco.model import CoCo

    torch.manual_seed(seed)
    model = CoCo(task.train.features.shape[1], task.texts.definition.shape[1])
    return evaluate(model, task.texts, task.test, task.split.unseen, alpha, torch.device("cpu"))


def accuracy(scores: np.ndarray, targets: np.ndarray, names: Sequence[str]) -> dict:
    """coco's accuracy metrics (percent top-1/top-5/mean-class) of (N, C) scores, for baselines outside coco."""
    import torch

    from coco.evaluate import accuracy_metrics

    return accuracy_metrics(torch.from_numpy(np.asarray(scores, dtype=np.float32)),
                            torch.from_numpy(np.asarray(targets, dtype=np.int64)), tuple(names))
