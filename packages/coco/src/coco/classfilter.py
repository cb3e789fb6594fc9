"""Removes training classes whose names lie too close to a test class in word-vector space (E2E-ZSAR).

Brattoli et al. (2020) train on Kinetics classes far from every UCF101/HMDB51 class: a class is removed when
the cosine distance between its name embedding and any test class's is below a threshold. They used word2vec
(GoogleNews); we use GloVe 6B 50-d (actionhub's bundled word vectors, :func:`actionhub.assets.load_vectors`), so
the threshold differs and is chosen by ``tools/make_kinetics_cross_train.py`` (661 kept where word2vec kept 664).

A name embeds as the mean vector of its lower-cased alphanumeric tokens. A token missing from the vocabulary
is split into two in-vocabulary parts of at least 3 characters if possible (``"jetskiing" -> jet, skiing``;
the most balanced split, ties to the shorter first part), else dropped. Names with no usable token
(e.g. ``"situp"``) are compared by identity only: equal after dropping case and non-alphanumerics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from actionhub.assets import DEFAULT_VECTORS
from actionhub.sources import compact


@dataclass(frozen=True)
class WordVectors:
    """A word-vector table.

    Attributes:
        index: Word -> row of ``matrix``.
        matrix: (V, D) vectors.
    """

    index: dict[str, int]
    matrix: np.ndarray

    def tokens(self, name: str) -> list[str]:
        """In-vocabulary tokens of a class name (compound out-of-vocabulary tokens split in two)."""
        out: list[str] = []
        for token in re.findall(r"[a-z0-9]+", name.lower()):
            if token in self.index:
                out.append(token)
                continue
            splits = [(min(i, len(token) - i), -i) for i in range(3, len(token) - 2)
                      if token[:i] in self.index and token[i:] in self.index]
            if splits:
                i = -max(splits)[1]
                out += [token[:i], token[i:]]
        return out

    def embed(self, name: str) -> np.ndarray | None:
        """(D,) unit-norm mean vector of the name's tokens, or None when it has none."""
        tokens = self.tokens(name)
        if not tokens:
            return None
        v = np.mean([self.matrix[self.index[t]] for t in tokens], axis=0).astype(np.float64)
        norm = np.linalg.norm(v)
        return v / norm if norm > 0 else None


def word_vectors(spec: str = DEFAULT_VECTORS) -> WordVectors:
    """Word vectors loaded by actionhub (default: bundled GloVe 6B 50-d), as a :class:`WordVectors` table.

    Args:
        spec: Anything :func:`actionhub.assets.load_vectors` accepts (bundled name, file, gensim-data name).
    """
    from actionhub.assets import load_vectors

    kv = load_vectors(spec)
    return WordVectors(kv.key_to_index, kv.vectors)  # (V, D) float32


@dataclass(frozen=True)
class Nearest:
    """The test class closest to one training class and their cosine distance (0.0 for equal names)."""

    test_class: str | None
    distance: float


def nearest_test_classes(train: tuple[str, ...], test: tuple[str, ...], vectors: WordVectors) -> dict[str, Nearest]:
    """For each training class, its nearest test class by cosine distance of name embeddings.

    Identical names (after dropping case and non-alphanumerics) are at distance 0 whether or not they embed;
    a training class that neither embeds nor equals a test class gets ``Nearest(None, inf)``.
    """
    by_squash = {compact(t): t for t in test}
    test_vecs = [(t, v) for t in test if (v := vectors.embed(t)) is not None]
    names = [t for t, _ in test_vecs]
    matrix = np.stack([v for _, v in test_vecs])  # (T, D) unit rows
    out: dict[str, Nearest] = {}
    for name in train:
        if compact(name) in by_squash:
            out[name] = Nearest(by_squash[compact(name)], 0.0)
            continue
        v = vectors.embed(name)
        if v is None:
            out[name] = Nearest(None, float("inf"))
            continue
        distances = 1.0 - matrix @ v  # (T,)
        j = int(np.argmin(distances))
        out[name] = Nearest(names[j], max(0.0, float(distances[j])))
    return out


def filter_classes(train: tuple[str, ...], test: tuple[str, ...], vectors: WordVectors,
                   threshold: float) -> tuple[str, ...]:
    """Training classes (in their order) whose nearest test class is at cosine distance >= ``threshold``."""
    nearest = nearest_test_classes(train, test, vectors)
    return tuple(n for n in train if nearest[n].distance >= threshold)
