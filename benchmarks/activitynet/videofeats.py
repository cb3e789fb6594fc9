"""The "video" side of the caption-as-video proxy: frozen paragraph encoders unlike coco's class-text encoder.

A video is stood in for by its caption paragraph. CoCo's class texts go through the bundled MiniLM; if the
videos went through the same encoder, video and class features would already share a space and the
cross-modal alignment CoCo learns would be trivial. So the video side uses a different, frozen encoder:

- ``lsa`` (default): TF-IDF (sublinear tf, smooth idf, L2) then a truncated SVD to ``dim`` components,
  fitted on the TRAIN captions only (labels unused), like a backbone pre-trained on unlabelled data. It is
  corpus-specific and strong: it plays the role of good visual features that no text model has seen.
- ``glove``: the mean GloVe 6B 50-d vector of the paragraph's words (the bundled vectors): generic and weak.

Both return L2-normalised float32 rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (keeps inner apostrophes: ``man's``)."""
    return TOKEN.findall(text.lower())


def _l2(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norm, 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class LsaConfig:
    """Settings of the TF-IDF -> SVD encoder.

    Attributes:
        dim: SVD components (the "visual feature" width).
        min_df: Words in fewer training documents are dropped.
        max_df: Words in more than this fraction of training documents are dropped (function words).
        seed: Seeds the SVD solver's start vector.
    """

    dim: int = 256
    min_df: int = 2
    max_df: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dim < 1 or self.min_df < 1 or not 0 < self.max_df <= 1:
            raise ValueError(f"invalid LSA settings: {self}")


class Lsa:
    """TF-IDF + truncated SVD fitted on a list of documents; :meth:`encode` folds in new documents."""

    def __init__(self, config: LsaConfig, train_docs: Sequence[str]):
        self.config = config
        tokens = [tokenize(d) for d in train_docs]
        df: dict[str, int] = {}
        for toks in tokens:
            for w in set(toks):
                df[w] = df.get(w, 0) + 1
        n = len(train_docs)
        kept = sorted(w for w, c in df.items() if c >= config.min_df and c <= config.max_df * n)
        self.vocab = {w: i for i, w in enumerate(kept)}
        counts = np.array([df[w] for w in kept], dtype=np.float64)
        self.idf = np.log((1 + n) / (1 + counts)) + 1.0  # (V,) smooth idf
        k = min(config.dim, min(n, len(kept)) - 1)
        if k < 1:
            raise ValueError(f"too little training text for LSA: {n} documents, {len(kept)} kept words")
        x = self._tfidf(tokens)  # (n, V)
        v0 = np.random.default_rng(config.seed).uniform(-1, 1, min(x.shape))
        _, s, vt = sp.linalg.svds(x, k=k, v0=v0)
        order = np.argsort(-s)
        self.components = vt[order].T  # (V, k) right singular vectors, largest first

    def _tfidf(self, tokens: Sequence[Sequence[str]]) -> sp.csr_matrix:
        rows, cols, vals = [], [], []
        for r, toks in enumerate(tokens):
            tf: dict[int, int] = {}
            for w in toks:
                j = self.vocab.get(w)
                if j is not None:
                    tf[j] = tf.get(j, 0) + 1
            for j, c in tf.items():
                rows.append(r)
                cols.append(j)
                vals.append((1.0 + np.log(c)) * self.idf[j])
        x = sp.csr_matrix((vals, (rows, cols)), shape=(len(tokens), len(self.vocab)), dtype=np.float64)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ x

    def encode(self, docs: Sequence[str]) -> np.ndarray:
        """(len(docs), k) L2-normalised projections of the documents' TF-IDF vectors."""
        return _l2(self._tfidf([tokenize(d) for d in docs]) @ self.components)


def mean_word_vectors(lookup: Callable[[str], np.ndarray | None], dim: int, docs: Sequence[str]) -> np.ndarray:
    """(len(docs), dim) L2-normalised mean vectors of the in-vocabulary words; zero rows for none.

    Args:
        lookup: Word -> vector, or None when out of vocabulary.
        dim: Vector width.
        docs: Paragraphs.
    """
    out = np.zeros((len(docs), dim), dtype=np.float32)
    for i, d in enumerate(docs):
        vecs = [v for v in (lookup(w) for w in tokenize(d)) if v is not None]
        if vecs:
            out[i] = np.mean(vecs, axis=0)
    return _l2(out)


def glove_lookup() -> tuple[Callable[[str], np.ndarray | None], int]:
    """Word lookup into the bundled GloVe 6B 50-d vectors (through actionhub's asset resolver)."""
    from actionhub.assets import load_vectors

    kv = load_vectors()
    return (lambda w: kv[w] if w in kv.key_to_index else None), kv.vector_size
