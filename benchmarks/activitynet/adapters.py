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

def embedders() -> dict[str, Callable[[Sequence[str]], np.ndarray]]:
    """The library's text embeddings (``actionhub.relevance.EMBEDDINGS``: static, encoder): texts -> unit rows."""
    from actionhub import relevance

    def make(name: str) -> Callable[[Sequence[str]], np.ndarray]:
        def embed(texts: Sequence[str]) -> np.ndarray:
            return np.asarray(relevance.EMBEDDINGS[name]()(list(texts)), dtype=np.float32)
        return embed

    return {name: make(name) for name in relevance.EMBEDDINGS}


def embedding_identities() -> dict[str, str]:
    """Per library embedding, a string that changes whenever its vectors could (the model's bytes): part of every
    cache key of what the embedding computed, so a re-tuned static table or another export is never served stale."""
    from actionhub.encoder import identity
    from actionhub.static import StaticEmbedding

    return {"static": StaticEmbedding.load().identity, "encoder": identity()}


def default_precision() -> str:
    """MiniLM's precision in a default build's scorers (``actionhub.relevance.DEFAULT_ENCODER_PRECISION``)."""
    from actionhub import relevance

    return relevance.DEFAULT_ENCODER_PRECISION


def encoder_identity(precision: str) -> str:
    """The identity of MiniLM at ``precision`` (``actionhub.encoder.identity``; int8's includes its batching)."""
    from actionhub.encoder import EncoderConfig, identity

    return identity(EncoderConfig(precision=precision))


def encoder_at(precision: str) -> tuple[Callable[[Sequence[str]], np.ndarray], str]:
    """(texts -> unit MiniLM rows at ``precision``, that encoder's identity for cache keys)."""
    from actionhub.encoder import Encoder, EncoderConfig

    encoder = Encoder.load(EncoderConfig(precision=precision))
    return (lambda texts: np.asarray(encoder.encode(list(texts)), dtype=np.float32)), encoder_identity(precision)


def cascade_share() -> float:
    """The share of each action that the default cascade re-ranks (``actionhub.cascade.CascadeConfig``)."""
    from actionhub.cascade import CascadeConfig

    return CascadeConfig().fraction


def word_vector_matrix(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """(names x texts) cosines of the paper's averaged GloVe vectors (``WordVectors``, as the registry scorer)."""
    from actionhub import normalize, relevance
    from actionhub.assets import load_vectors

    vectors = relevance.WordVectors(load_vectors(), normalize.stop_words())
    t = relevance.unit_rows(vectors.mean_vectors(list(texts))[0])  # (N, 50)
    a = relevance.unit_rows(vectors.mean_vectors(list(names))[0])  # (A, 50)
    return (a @ t.T).astype(np.float32)


def semantic_matrix(text_emb: np.ndarray, name_emb: np.ndarray, temperature: float, feedback: int,
                    feedback_weight: float) -> np.ndarray:
    """(A, N) calibrated relevance with feedback of every text for every action (``actionhub.semantic``)."""
    from actionhub.semantic import SemanticConfig, relevance_matrix

    return relevance_matrix(text_emb, name_emb, SemanticConfig(temperature, feedback, feedback_weight))


def fusion_settings() -> dict:
    """The library's default scorer and its fusion constants per embedding."""
    from dataclasses import asdict

    from actionhub import relevance

    return {"default_scorer": relevance.DEFAULT_SCORER,
            "constants": {name: asdict(c) for name, c in relevance.FUSION.items()}}


def fusion_matrix(embedding: str, text_emb: np.ndarray, name_emb: np.ndarray, site: np.ndarray,
                  tiebreak: np.ndarray) -> np.ndarray:
    """(A, N) the library's ``fusion``/``fusion-encoder`` formula for every (action, text): the calibrated semantic
    relevance with feedback, its rank fused with the site's (``site``: (A, N) 1-based ranks, inf = not returned)."""
    from actionhub import relevance
    from benchmarks.activitynet import fusion

    c = relevance.FUSION[embedding]
    sem = semantic_matrix(text_emb, name_emb, c.semantic.temperature, c.semantic.feedback, c.semantic.feedback_weight)
    return fusion.fuse(fusion.row_ranks(sem, tiebreak), site, c.weight, c.k)


def cascade_matrix(first: np.ndarray, text_emb: np.ndarray, name_emb: np.ndarray, site: np.ndarray,
                   tiebreak: np.ndarray, fraction: float | None = None) -> np.ndarray:
    """(A, N) the library's ``fusion-cascade`` for every (action, text), from the first stage's (A, N) scores and
    the encoder's embeddings: each action's top share re-scored by ``fusion-encoder`` among the candidates
    (feedback and the site's ranks within them), as ``actionhub.cascade`` does on a table. ``fraction``
    overrides the library's share (for the trade-off curve)."""
    from actionhub import relevance, semantic
    from actionhub.cascade import CascadeConfig
    from benchmarks.activitynet import fusion

    c = relevance.FUSION["encoder"]
    share = CascadeConfig() if fraction is None else CascadeConfig(fraction=fraction)
    n = first.shape[1]
    top = share.candidates(n)
    logp = semantic.log_softmax_over_actions(text_emb @ name_emb.T, c.semantic.temperature).T  # (A, N)
    out = first / 2
    for a in range(first.shape[0]):
        rows = np.lexsort((np.arange(n), -first[a].astype(np.float64)))[:top]  # ties by position, as top_share
        sem = logp[a, rows] + c.semantic.feedback_weight / c.semantic.temperature * (
            text_emb[rows] @ semantic.centroid(text_emb[rows], logp[a, rows], c.semantic.feedback))
        sub_tie = np.arange(len(rows))  # the registry breaks ties by row order within the candidates
        site_rows = site[a, rows]
        site_sub = np.full(len(rows), np.inf, dtype=np.float32)
        known = np.isfinite(site_rows)
        site_sub[known] = fusion.row_ranks(-site_rows[known][None, :], np.arange(int(known.sum())))[0]
        fused = fusion.fuse(fusion.row_ranks(sem[None, :], sub_tie)[0], site_sub, c.weight, c.k)
        out[a, rows] = (1.0 + fused) / 2
    return out


def check_scorer_against_registry(name: str, route: Callable[[np.ndarray, np.ndarray], np.ndarray],
                                  bm25: np.ndarray, texts: Sequence[str], names: Sequence[str], sample: int = 300,
                                  actions: int = 4, seed: int = 0, precision: str = "fp32") -> float:
    """Largest |benchmark rank - registry rank| of a registry scorer on a sub-pool (``sample`` texts x ``actions``).

    ``route(text_index (S,), site (A, S) 1-based ranks)`` computes the benchmark's (A, S) scores on the sub-pool;
    the registry scorer ``name`` scores a table of all (action, text) pairs with the site's rank as
    ``site_rank`` (MiniLM at ``precision`` where it runs). Both must order every action's texts the same way; 0
    when they do.
    """
    import pyarrow as pa

    from actionhub import relevance
    from benchmarks.activitynet import fusion

    rng = np.random.default_rng(seed)
    t = np.sort(rng.choice(len(texts), sample, replace=False))
    a = rng.choice(len(names), actions, replace=False)
    tie = np.arange(sample)
    site = fusion.site_ranks(bm25[:, t], tie)  # (A_all, S)
    bench = fusion.row_ranks(route(t, site)[a], tie)
    pos = np.where(np.isfinite(site[a]), site[a] - 1, -1).astype(np.int64).ravel()  # 0-based position, or none
    table = pa.table({"description": pa.array([texts[i] for _ in a for i in t], pa.string()),
                      "action_id": pa.array(np.repeat(a, sample), pa.int32()),
                      "site_rank": pa.array(pos, pa.int32(), mask=pos < 0)})
    rel = relevance.make_scorer(name, precision=precision)(table, dict(enumerate(names)))
    ranks = relevance.ranks(np.asarray(table["action_id"]), rel, np.tile(tie, actions)).reshape(actions, sample)
    return float(np.abs(ranks - bench).max())


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


def rescore(descriptions: Sequence[dict], names: dict[int, str], scorer: str,
            cached: Callable[[Callable[[], np.ndarray]], np.ndarray] = lambda compute: compute(),
            precision: str = "fp32") -> list[dict]:
    """The published descriptions re-ranked within their actions by another registry scorer (same candidates).

    ``cached`` wraps the relevance computation (the benchmark caches MiniLM's minutes of work by the texts);
    ``precision`` is MiniLM's in the scorers that run it (``actionhub build --encoder-precision``).
    """
    import pyarrow as pa

    from actionhub import relevance

    table = pa.table({"description": [r["description"] for r in descriptions],
                      "action_id": pa.array([int(r["action_id"]) for r in descriptions], pa.int32()),
                      "site_rank": pa.array([r["site_rank"] for r in descriptions], pa.int32())})
    rel = cached(lambda: relevance.make_scorer(scorer, precision=precision)(table, names))
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
