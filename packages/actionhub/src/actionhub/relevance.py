"""Relevance of each description to its action, as in the paper, and its rank within the action.

``word_vectors`` (the paper's score): cosine between the mean word vector of the description and the mean
word vector of the action name, with any gensim ``KeyedVectors`` (default: bundled GloVe 6B 50-d).

Tokenization (:mod:`actionhub.tokens`): lower case, words are maximal runs of Unicode letters and digits
("T-shirt" gives "t" and "shirt"). Words in ``stop_words`` are skipped, and so are words
missing from the vectors (out of vocabulary). A text (description or action name) with no known word has
no mean vector; its relevance is 0.0 rather than NaN (the published column is non-nullable float32), so it
ranks after every description with a positive score. The pipeline passes NLTK's English stop words by
default: GloVe keeps "the", "a", ... whose vectors would pull every mean towards the same point, while the
paper's GoogleNews word2vec has no vectors for most of them.

Vectorized: pyarrow splits and maps all tokens to vocabulary ids at once, a scipy CSR count matrix
(texts x vocabulary) times the vector matrix gives the sums, then one row-wise dot product the cosines.

``encoder`` (for comparison): cosine between all-MiniLM-L6-v2 sentence embeddings of description and action
name (:mod:`actionhub.encoder`, numpy only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from actionhub import schema, tokens

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

# Texts per tokenization chunk: bounds the word arrays (~40 words per text) to a few hundred MB.
CHUNK_ROWS = 500_000


class WordVectors:
    """The vocabulary (stop words removed) and vector matrix of a ``KeyedVectors``, for vectorized lookup."""

    def __init__(self, kv: KeyedVectors, stop_words: Iterable[str] = ()) -> None:
        vocab = pa.array(kv.index_to_key, pa.string())
        keep = pc.invert(pc.is_in(vocab, value_set=pa.array(sorted(set(stop_words)), pa.string())))
        self.vocab = vocab.filter(keep)  # (V,) stop words are treated like OOV words
        self.matrix = np.asarray(kv.vectors, dtype=np.float32)[np.asarray(keep)]  # (V, d)

    def counts(self, texts: pa.Array | pa.ChunkedArray | list[str]) -> sparse.csr_matrix:
        """Known-word counts, shape (n_texts, V) float32 CSR; stop words and OOV words dropped."""
        flat, row = tokens.explode_words(texts)
        ids = pc.index_in(flat, value_set=self.vocab)  # null for OOV words
        known = np.asarray(pc.is_valid(ids))
        col = np.asarray(ids.filter(pa.array(known)), dtype=np.int32)
        n = len(texts)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row[known], minlength=n), out=indptr[1:])  # rows come ascending
        # A word twice in a text is two entries of its row: products and sums count it twice, as a mean must.
        return sparse.csr_matrix((np.ones(len(col), np.float32), col, indptr), shape=(n, len(self.vocab)))

    def mean_vectors(self, texts: pa.Array | pa.ChunkedArray | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Returns (mean word vectors (n, d) float32, number of known words per text (n,)); zero rows if none."""
        counts = self.counts(texts)
        n_known = np.asarray(counts.sum(axis=1)).ravel()
        sums = np.asarray(counts @ self.matrix, dtype=np.float32)  # (n, d)
        return sums / np.maximum(n_known, 1)[:, None], n_known

    def unit_mean_vectors(self, texts: pa.Array | pa.ChunkedArray | list[str], chunk_rows: int = CHUNK_ROWS
                          ) -> np.ndarray:
        """Unit-length mean word vectors (n, d) float32 (zero rows for texts without known words), computed
        ``chunk_rows`` texts at a time so the word arrays stay small."""
        out = np.zeros((len(texts), self.matrix.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), chunk_rows):
            part = texts[start:start + chunk_rows]
            out[start:start + len(part)] = unit_rows(self.mean_vectors(part)[0])
        return out


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (their cosines are 0)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def word_vector_relevance(descriptions: pa.Array | list[str], action_ids: np.ndarray,
                          actions: dict[int, str], vectors: WordVectors) -> np.ndarray:
    """Cosine(mean word vector of each description, mean word vector of its action name), shape (n,) float32.

    Args:
        descriptions: n texts.
        action_ids: (n,) action id of each text.
        actions: action id -> action name.
        vectors: the prepared word vectors.
    """
    ids = sorted(actions)
    action_unit = vectors.unit_mean_vectors([actions[i] for i in ids])  # (A, d)
    position = np.searchsorted(np.asarray(ids), np.asarray(action_ids))
    text_unit = vectors.unit_mean_vectors(descriptions)  # (n, d)
    return np.einsum("nd,nd->n", text_unit, action_unit[position]).astype(np.float32)


def ranks(action_ids: np.ndarray, relevance: np.ndarray, tie_break: np.ndarray | None = None) -> np.ndarray:
    """Rank of each description within its action, 1 = most relevant; ties go to the smaller tie_break."""
    n = len(relevance)
    tie = np.arange(n) if tie_break is None else np.asarray(tie_break)
    order = np.lexsort((tie, -np.asarray(relevance, dtype=np.float64), np.asarray(action_ids)))
    sorted_ids = np.asarray(action_ids)[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_ids[1:] != sorted_ids[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    out = np.empty(n, dtype=np.int32)
    out[order] = np.arange(n) - first + 1
    return out


# A scorer maps (descriptions, action ids, action id -> name) to relevance (n,) float32.
Scorer = Callable[[pa.Array, np.ndarray, dict[int, str]], np.ndarray]


def word_vector_scorer(kv: KeyedVectors | None = None, stop_words: Iterable[str] | None = None) -> Scorer:
    """The paper's scorer; defaults: bundled GloVe and NLTK English stop words."""
    if kv is None:
        from actionhub.assets import load_vectors

        kv = load_vectors()
    if stop_words is None:
        from actionhub.normalize import stop_words as load_stop_words

        stop_words = load_stop_words()
    vectors = WordVectors(kv, stop_words)
    return lambda texts, action_ids, actions: word_vector_relevance(texts, action_ids, actions, vectors)


def encoder_scorer(spec: str | None = None, batch_size: int = 64) -> Scorer:
    """Sentence-encoder cosine (all-MiniLM-L6-v2 in numpy), for comparison with the paper's score."""
    from actionhub.encoder import Encoder

    encoder = Encoder.load(spec) if spec else Encoder.load()

    def score(texts: pa.Array, action_ids: np.ndarray, actions: dict[int, str]) -> np.ndarray:
        ids = sorted(actions)
        action_emb = encoder.encode([actions[i] for i in ids], batch_size)  # (A, 384) unit rows
        text_emb = encoder.encode(pa.array(texts).to_pylist(), batch_size)  # (n, 384)
        position = np.searchsorted(np.asarray(ids), np.asarray(action_ids))
        return np.einsum("nd,nd->n", text_emb, action_emb[position]).astype(np.float32)

    return score


# Registry: name -> factory of a scorer (factories load their assets on call).
SCORERS: dict[str, Callable[..., Scorer]] = {"word_vectors": word_vector_scorer, "encoder": encoder_scorer}


def score(descriptions: pa.Table, scorer: Scorer, actions: dict[int, str]) -> pa.Table:
    """Adds ``relevance`` and ``rank`` (ties broken by description_id) to a processed descriptions table."""
    action_ids = np.asarray(descriptions["action_id"])
    relevance = scorer(descriptions["description"], action_ids, actions)
    tie = np.asarray(pc.rank(descriptions["description_id"], sort_keys="ascending", tiebreaker="first"))
    rank = ranks(action_ids, relevance, tie)
    scored = descriptions.append_column("relevance", pa.array(relevance, pa.float32()))
    return scored.append_column("rank", pa.array(rank, pa.int32())).cast(schema.DESCRIPTIONS)
