"""Relevance scorers' speed at the paper's scale and their quality against MiniLM: the fast-scorer trade-offs.

Speed input: the SYNTHETIC corpus of ``synthetic_corpus.py`` (GloVe words, ~36 words in 3 sentences per
description; not real footage text), generated and scored in shards of ``--shard`` descriptions so memory
stays flat, with a random site order per action as ``site_rank``. ``fusion``, ``static`` and ``word-vectors``
score all ``--n`` descriptions; the default ``fusion-cascade`` scores ``--cascade-n`` with ~2,973 descriptions
per action, as at the paper's scale (its MiniLM share is per action); MiniLM (fp32 batched by length, int8 one
text per pass as by default and batched) and ``fusion-encoder`` score a subsample of ``--minilm-n`` (~100x
slower) and are extrapolated, printed as such. Everything is extrapolated to the paper's 3.6M descriptions.

Quality input: real ActivityNet Captions val_1 sentences when ``../shared`` (or ``$ACTIONHUB_SHARED``) has them,
else the synthetic texts (printed). Spearman correlation of each scorer's (action name, sentence) similarities
with MiniLM fp32's, and the cosine of int8 to fp32 embeddings.

    python benchmarks/bench_scorers.py [--n 200000] [--shard 50000] [--minilm-n 2000] [--cascade-n 100000]
        [--encoder-precision int8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
from synthetic_corpus import PAPER_ACTIONS, PAPER_DESCRIPTIONS, glove_vocabulary, synthetic_corpus, vm_hwm_mib

from actionhub import relevance
from actionhub.assets import load_vectors
from actionhub.encoder import Encoder, EncoderConfig

ROOT = Path(__file__).resolve().parents[1]


def shard_table(texts: pa.Array, action_ids: np.ndarray, rng: np.random.Generator) -> pa.Table:
    """A descriptions table with a random site order (0-based position) within each action."""
    site_rank = rng.permutation(len(texts)).astype(np.int32)  # ranks within actions: any order is a valid one
    return pa.table({"description": texts, "action_id": pa.array(action_ids, pa.int32()), "site_rank": site_rank})


def time_scorers(args, vocab, names: list[str]) -> dict:
    """Seconds per scorer over all shards, plus the peak RSS after each shard."""
    scorers = {name: relevance.SCORERS[name]() for name in names}
    seconds, cpu = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    peaks = []
    rng = np.random.default_rng(1)
    for start in range(0, args.n, args.shard):
        n = min(args.shard, args.n - start)
        texts, action_ids, actions = synthetic_corpus(n, vocab, seed=start)
        table = shard_table(texts, action_ids, rng)
        for name, scorer in scorers.items():
            t0, c0 = time.perf_counter(), time.process_time()
            relevance.ranks(action_ids, scorer(table, actions))
            seconds[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
        peaks.append(round(vm_hwm_mib()))
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib_after_each_shard": peaks}


def time_cascade(args, vocab) -> tuple[float, float]:
    """(wall s, CPU s) of ``fusion-cascade`` over ``--cascade-n`` descriptions, ~2,973 per action as at the paper's
    scale (3.6M / 1,211): the cascade re-scores a share of each action, so the count per action sets its cost.

    Each shard's descriptions are spread over shard / 2,973 actions (the SYNTHETIC texts' topics no longer match
    their action: only the cost is measured here); the calibration still runs over all 1,211 action names."""
    scorer = relevance.make_scorer("fusion-cascade", precision=args.encoder_precision)
    per_action = PAPER_DESCRIPTIONS // PAPER_ACTIONS
    wall = cpu = 0.0
    rng = np.random.default_rng(3)
    for start in range(0, args.cascade_n, args.shard):
        n = min(args.shard, args.cascade_n - start)
        texts, _, actions = synthetic_corpus(n, vocab, seed=start + 7)
        groups = max(1, n // per_action)
        action_ids = (start // per_action + rng.integers(0, groups, size=n)).astype(np.int32) % PAPER_ACTIONS
        table = shard_table(texts, action_ids, rng)
        t0, c0 = time.perf_counter(), time.process_time()
        relevance.ranks(action_ids, scorer(table, actions))
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return wall, cpu


def time_minilm(texts: list[str], threads: int) -> dict:
    """(wall s, CPU s) of MiniLM fp32 (batches of 64 by length) and int8 (one text per pass, a pass per core: the
    default); int8 also batched by 64 (faster, but a batch changes its embeddings: ``actionhub.encoder``)."""
    out = {}
    for precision in ("fp32", "int8"):
        encoder = Encoder.load(EncoderConfig(precision=precision, threads=threads))
        t0, c0 = time.perf_counter(), time.process_time()
        encoder.encode(texts)
        out[precision] = (time.perf_counter() - t0, time.process_time() - c0)
    batched = Encoder.load(EncoderConfig(precision="int8", threads=threads, batch_size=64))
    t0, c0 = time.perf_counter(), time.process_time()
    batched.encode(texts)
    out["int8, batched by 64"] = (time.perf_counter() - t0, time.process_time() - c0)
    return out


def real_sentences(limit: int = 3000) -> tuple[list[str], list[str]] | None:
    """(ActivityNet val_1 sentences, ActivityNet class names) when the shared data is there."""
    shared = Path(os.environ.get("ACTIONHUB_SHARED") or ROOT.parent / "shared")
    folder = shared / "reference" / "captions" / "activitynet_captions"
    if not (folder / "val_1.json").is_file():
        return None
    data = json.loads((folder / "val_1.json").read_text())
    sentences = [s.strip() for v in data.values() for s in v["sentences"] if s.strip()]
    rng = np.random.default_rng(0)
    picked = [sentences[i] for i in rng.choice(len(sentences), min(limit, len(sentences)), replace=False)]
    import csv

    with open(folder / "activitynet_v1-3_valid_tsp_groundtruth.csv", newline="") as fh:
        classes = sorted({r["action-label"] for r in csv.DictReader(fh) if r["action-label"] not in ("", "None")})
    return picked, classes


def quality(texts: list[str], names: list[str]) -> dict:
    """Spearman of each scorer's similarities with MiniLM fp32's, (action name, text) pairs and (text, text)
    pairs (20,000 random pairs); int8-fp32 cosines."""
    from scipy.stats import spearmanr

    from actionhub.normalize import stop_words
    from actionhub.static import StaticEmbedding

    fp32, int8 = Encoder.load(), Encoder.load(EncoderConfig(precision="int8"))
    e32, e8 = fp32.encode(texts), int8.encode(texts)
    reference = fp32.encode(names) @ e32.T  # (A, N)
    static = StaticEmbedding.load()
    wv = relevance.WordVectors(load_vectors(), stop_words())
    embed = {"int8": (int8.encode(names), e8), "static": (static.encode(names), static.encode(texts)),
             "word-vectors": (wv.unit_mean_vectors(names), wv.unit_mean_vectors(texts))}
    sims = {name: a @ t.T for name, (a, t) in embed.items()}
    i, j = np.random.default_rng(0).integers(0, len(texts), size=(2, 20_000))
    pair_reference = (e32[i] * e32[j]).sum(1)
    out = {"int8_cosine_to_fp32": {"mean": float((e32 * e8).sum(1).mean()), "min": float((e32 * e8).sum(1).min())}}
    for name, s in sims.items():
        per_action = [spearmanr(reference[a], s[a]).statistic for a in range(len(names))]
        t = embed[name][1]
        out[f"spearman_{name}"] = {"name_text_all_pairs": float(spearmanr(reference.ravel(), s.ravel()).statistic),
                                   "name_text_per_action_mean": float(np.nanmean(per_action)),
                                   "text_text_pairs": float(spearmanr(pair_reference, (t[i] * t[j]).sum(1)).statistic)}
    return out


def _span(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--shard", type=int, default=50_000)
    parser.add_argument("--minilm-n", type=int, default=2_000)
    parser.add_argument("--cascade-n", type=int, default=100_000, help="descriptions scored by fusion-cascade")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: all cores)")
    parser.add_argument("--encoder-precision", choices=("fp32", "int8"), default=relevance.DEFAULT_ENCODER_PRECISION,
                        help="MiniLM's precision in fusion-cascade (actionhub build --encoder-precision; default: "
                             "the build's)")
    args = parser.parse_args(argv)
    vocab = glove_vocabulary(load_vectors())
    print(f"machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} (shared with other jobs)")

    speed = time_scorers(args, vocab, ["fusion", "static", "word-vectors"])
    print(f"SYNTHETIC descriptions: {args.n:,} in shards of {args.shard:,}; peak RSS after each shard (MiB): "
          f"{speed['peak_rss_mib_after_each_shard']}")
    rows = {name: (args.n, speed["seconds"][name], speed["cpu_seconds"][name]) for name in speed["seconds"]}
    per_action = PAPER_DESCRIPTIONS // PAPER_ACTIONS
    rows[f"fusion-cascade, MiniLM {args.encoder_precision} (on {args.cascade_n:,}, ~{per_action:,} per action)"] = (
        args.cascade_n, *time_cascade(args, vocab))
    sample_texts, sample_ids, sample_actions = synthetic_corpus(args.minilm_n, vocab, seed=10**9)
    sample = sample_texts.to_pylist()
    minilm = time_minilm(sample, args.threads)
    table = shard_table(sample_texts, sample_ids, np.random.default_rng(2))
    scorer = relevance.SCORERS["fusion-encoder"]()
    t0, c0 = time.perf_counter(), time.process_time()
    relevance.ranks(sample_ids, scorer(table, sample_actions))  # MiniLM + calibration over 1,211 actions + feedback
    minilm["fusion-encoder (fp32)"] = (time.perf_counter() - t0, time.process_time() - c0)
    rows |= {f"minilm {k} (on {args.minilm_n:,}, extrapolated)": (args.minilm_n, *v) for k, v in minilm.items()}
    print(f"| scorer | descriptions/s (wall, as measured) | µs per description (wall) | CPU µs per description | "
          f"{PAPER_DESCRIPTIONS / 1e6:g}M descriptions (wall, as measured) | {PAPER_DESCRIPTIONS / 1e6:g}M if the CPU "
          f"time split over 2 idle cores |")
    print("|---|---|---|---|---|---|")
    for name, (n, wall, cpu) in rows.items():
        print(f"| {name} | {n / wall:,.0f} | {1e6 * wall / n:,.1f} | {1e6 * cpu / n:,.1f} | "
              f"{_span(PAPER_DESCRIPTIONS * wall / n)} | {_span(PAPER_DESCRIPTIONS * cpu / n / 2)} |")

    real = real_sentences()
    texts, names = real if real else (sample, [f"{vocab[i]} {vocab[i + 1]}" for i in range(0, 400, 2)])
    print(f"quality on {'REAL ActivityNet val_1 sentences' if real else 'SYNTHETIC texts'}: {len(texts)} texts x "
          f"{len(names)} action names")
    print(json.dumps(quality(texts, names), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
