"""Tunes the distilled static table to mimic MiniLM's sentence embeddings on a text corpus (tokenlearn's method).

model2vec's distillation (``tools/distill_static.py``) passes every vocabulary token through MiniLM *alone*, so the
mean of a text's token rows follows MiniLM's embedding of the whole text only roughly (Spearman ~0.5 on
ActivityNet sentence pairs). This step fits the table to MiniLM on whole texts, as tokenlearn (Tulkens and van
Dongen, MinishLab 2025) does: for each corpus text ``x`` with MiniLM embedding ``y(x)`` (384-d, the project's
ONNX export, fp32) and word-piece counts ``c(x)`` (V,), it learns token rows ``E`` (V, d) and a map ``W`` (d, 384)
minimizing ``1 - cos(W^T unit(c(x) E), y(x))`` with Adam, starting from the distilled table and the least-squares
``W``. The shipped table is ``E W`` reduced back to ``d`` columns by an uncentred SVD: a linear map, so a text's
embedding is still the mean of its token rows, and cosines change only by the dropped directions.

Corpus (``--corpus wordnet``, the default): WordNet 3.0's definitions and usage examples (the project's NLTK data;
the WordNet licence allows redistribution) plus every cleaned class name of the packaged source lists. Not
ActivityNet's captions: their text carries no licence (research-only evaluation data), and the benchmark
evaluates on them. ``--corpus FILE`` reads one text per line instead.

Runs in the project's virtual environment (torch + actionhub); deterministic on CPU for a seed and thread count.
The base is the distillation's output, which this script replaces in the package::

    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install -r tools/distill_static.requirements.txt
    /tmp/distill/bin/python tools/distill_static.py --model <MiniLM dir> --out /tmp/static-base
    .venv/bin/python tools/tune_static.py --base /tmp/static-base
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "packages" / "actionhub" / "src" / "actionhub" / "data" / "static"


def wordnet_texts(wordnet_dir: Path, min_words: int = 3) -> list[str]:
    """Distinct definitions and quoted usage examples of WordNet's ``data.<pos>`` files with >= ``min_words``."""
    texts: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wordnet_dir / f"data.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith("  ") or " | " not in line:  # licence header lines start with two spaces
                continue
            gloss = line.split(" | ", 1)[1].strip()
            definition = gloss.split('"')[0].strip().rstrip(";").strip()
            for text in (definition, *re.findall(r'"([^"]+)"', gloss)):
                if len(text.split()) >= min_words:
                    texts.add(text.strip())
    return sorted(texts)


def class_names() -> list[str]:
    """Every cleaned query of every packaged source list (actionhub.sources), distinct, sorted."""
    from actionhub.sources import SOURCES

    return sorted({alias.query for source in SOURCES.values() for alias in source.aliases()})


def corpus_texts(spec: str) -> list[str]:
    """``wordnet`` (definitions, examples and class names) or the non-empty lines of a file."""
    if spec == "wordnet":
        from actionhub.assets import nltk_resource

        return sorted(set(wordnet_texts(nltk_resource("wordnet"))) | set(class_names()))
    return [line.strip() for line in Path(spec).read_text(encoding="utf-8").splitlines() if line.strip()]


def _rows(counts, torch):
    coo = counts.tocoo()
    indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    return torch.sparse_coo_tensor(indices, torch.from_numpy(coo.data), coo.shape, check_invariants=False).coalesce()


def fit(counts, targets: np.ndarray, table: np.ndarray, epochs: int = 8, lr: float = 3e-3, batch: int = 256,
        seed: int = 0, holdout: float = 0.05) -> tuple[np.ndarray, dict]:
    """Learns ``E`` (V, d) from ``table`` and ``W`` (d, D) so that ``unit(counts E) W`` points along ``targets``.

    Args:
        counts: (n, V) scipy sparse word-piece counts of the corpus texts.
        targets: (n, D) the teacher's unit embeddings of the same texts.
        table: (V, d) the starting token rows.
        holdout: share of texts kept out of training to report the cosine on.

    Returns:
        ``E W`` (V, D) float32, and the mean held-out cosine to the teacher before and after, per epoch.
    """
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(counts.shape[0])
    held, train = order[:int(len(order) * holdout)], order[int(len(order) * holdout):]
    counts = counts.tocsr().astype(np.float32)
    start = np.asarray(counts[train] @ table, dtype=np.float64)
    start /= np.maximum(np.linalg.norm(start, axis=1, keepdims=True), 1e-9)
    w0, *_ = np.linalg.lstsq(start, targets[train].astype(np.float64), rcond=None)  # (d, D)
    E = torch.nn.Parameter(torch.tensor(table, dtype=torch.float32))
    W = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float32))
    y = torch.tensor(targets, dtype=torch.float32)
    optimizer = torch.optim.Adam([E, W], lr=lr)

    def loss(rows: np.ndarray) -> torch.Tensor:
        sums = torch.sparse.mm(_rows(counts[rows], torch), E)  # (b, d)
        pred = (sums / sums.norm(dim=1, keepdim=True).clamp_min(1e-9)) @ W  # (b, D)
        return (1 - torch.nn.functional.cosine_similarity(pred, y[rows], dim=1)).mean()

    with torch.no_grad():
        report = {"holdout_texts": len(held), "train_texts": len(train),
                  "holdout_cosine": [round(1 - float(loss(held)), 4) if len(held) else None]}
    for _ in range(epochs):
        rng.shuffle(train)
        for i in range(0, len(train), batch):
            optimizer.zero_grad()
            loss(train[i:i + batch]).backward()
            optimizer.step()
        with torch.no_grad():
            report["holdout_cosine"].append(round(1 - float(loss(held)), 4) if len(held) else None)
    return (E.detach() @ W.detach()).numpy(), report


def reduce(table: np.ndarray, dims: int) -> np.ndarray:
    """(V, dims): ``table`` projected on its top ``dims`` right singular vectors (uncentred, so linear)."""
    if dims >= table.shape[1]:
        return table
    _, _, vt = np.linalg.svd(table.astype(np.float64), full_matrices=False)
    return (table @ vt[:dims].T).astype(np.float32)


def tune(base: Path, out: Path, corpus: str, epochs: int, dims: int, seed: int, threads: int,
         cache: Path | None = None) -> dict:
    """Fits the table on ``corpus`` and writes ``embeddings.npy``, ``tokenizer.json`` and ``meta.json`` to ``out``.

    ``cache``: a directory keeping the teacher's embeddings per corpus and encoder (MiniLM is most of the time).
    """
    import torch

    from actionhub.encoder import Encoder, EncoderConfig
    from actionhub.static import StaticEmbedding

    torch.set_num_threads(threads)
    base_meta = json.loads((base / "meta.json").read_text())
    static = StaticEmbedding.load(base)
    texts = corpus_texts(corpus)
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    t0 = time.perf_counter()
    encoder = Encoder.load(EncoderConfig(precision="fp32"))
    cached = cache / f"teacher-{digest[:16]}-{hashlib.sha256(encoder.identity.encode()).hexdigest()[:16]}.npy" \
        if cache else None
    if cached and cached.is_file():
        targets = np.load(cached)
    else:
        targets = encoder.encode(texts)  # (n, 384)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            np.save(cached, targets)
    t1 = time.perf_counter()
    table, report = fit(static.piece_counts(texts), targets, static.table, epochs=epochs, seed=seed)
    t2 = time.perf_counter()
    reduced = reduce(table, dims).astype(np.float16)
    meta = {"source_model_sha256": base_meta["source_model_sha256"], "pca_dims": reduced.shape[1],
            "method": "model2vec.distill, then tuned to MiniLM on a corpus (tools/tune_static.py)",
            "dtype": "float16", "shape": list(reduced.shape), "normalize": True,
            "base": {"embeddings_sha256": hashlib.sha256((base / "embeddings.npy").read_bytes()).hexdigest(),
                     "meta": base_meta},
            "corpus": {"spec": corpus if corpus == "wordnet" else Path(corpus).name, "texts": len(texts),
                       "sha256": digest},
            "fit": {"epochs": epochs, "lr": 3e-3, "batch": 256, "seed": seed, "threads": threads, **report,
                    "teacher_seconds": round(t1 - t0), "fit_seconds": round(t2 - t1)},
            "versions": {p: version(p) for p in ("torch", "numpy", "tokenizers", "onnxruntime")}}
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "embeddings.npy", reduced)
    if (base / "tokenizer.json").resolve() != (out / "tokenizer.json").resolve():
        shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="tools/distill_static.py's output directory")
    parser.add_argument("--corpus", default="wordnet", help="'wordnet' or a file of one text per line")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None, help="keep MiniLM's corpus embeddings here")
    args = parser.parse_args(argv)
    if not (args.base / "embeddings.npy").is_file() or not (args.base / "meta.json").is_file():
        print(f"error: {args.base} holds no distilled table (embeddings.npy, meta.json)", file=sys.stderr)
        return 2
    if args.corpus != "wordnet" and not Path(args.corpus).is_file():
        print(f"error: corpus {args.corpus} is neither 'wordnet' nor a file", file=sys.stderr)
        return 2
    meta = tune(args.base, args.out, args.corpus, args.epochs, args.dims, args.seed, args.threads, args.cache)
    print(json.dumps({k: meta[k] for k in ("shape", "corpus", "fit")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
