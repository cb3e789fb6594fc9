"""Relevance of each description to its action, and its rank within the action; the registry of scorers.

Scorers (``SCORERS``; a scorer maps a descriptions table and action id -> name to relevance (n,) float32):

- ``fusion`` (the default of a published dataset): the description's semantic relevance to its action from the
  static embedding, *calibrated over all actions of the build and refined by feedback from the action's top
  descriptions* (:mod:`actionhub.semantic`), then its rank fused with the site's own rank of the description
  (``site_rank``, recorded by the harvest) within the action by reciprocal-rank fusion:
  ``w / (k + r_semantic) + (1 - w) / (k + r_site)``, ranks 1-based. Every constant was chosen on ActivityNet
  *train* captions only (``benchmarks/activitynet``) and evaluated on validation. ``fusion-encoder`` is the same
  with MiniLM embeddings (its own tuned constants): better, and ~100x slower. ``fusion-cascade`` ranks with
  ``fusion`` and re-ranks each action's top 1% (at least 20) with ``fusion-encoder`` (:mod:`actionhub.cascade`).
- ``static``: cosine of the static embeddings distilled from MiniLM (:mod:`actionhub.static`).
- ``encoder``: cosine of MiniLM sentence embeddings (:mod:`actionhub.encoder`, onnxruntime).
- ``word-vectors`` (the paper's score): cosine between the mean word vector of the description and the mean
  word vector of the action name, with any gensim ``KeyedVectors`` (default: bundled GloVe 6B 50-d).

Word vectors: tokenization (:mod:`actionhub.tokens`): lower case, words are maximal runs of Unicode letters
and digits ("T-shirt" gives "t" and "shirt"). Words in ``stop_words`` are skipped, and so are words
missing from the vectors (out of vocabulary). A text (description or action name) with no known word has
no mean vector; its relevance is 0.0 rather than NaN (the published column is non-nullable float32), so it
ranks after every description with a positive score. The pipeline passes NLTK's English stop words by
default: GloVe keeps "the", "a", ... whose vectors would pull every mean towards the same point, while the
paper's GoogleNews word2vec has no vectors for most of them. Vectorized: pyarrow splits and maps all tokens
to vocabulary ids at once, a scipy CSR count matrix (texts x vocabulary) times the vector matrix gives the
sums, then one row-wise dot product the cosines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from actionhub import schema, tokens
from actionhub.cascade import CascadeConfig
from actionhub.cascade import cascade_scorer as two_stage_scorer
from actionhub.semantic import SemanticConfig, semantic_relevance

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


# A scorer maps (descriptions table: `description`, `action_id`, optional `site_rank`; action id -> name) to
# relevance (n,) float32.
Scorer = Callable[[pa.Table, dict[int, str]], np.ndarray]
# A text embedder: texts -> unit-length rows (n, d) float32.
Embed = Callable[[list[str] | pa.Array], np.ndarray]

DEFAULT_SCORER = "fusion-cascade"
# MiniLM's precision in a build's scorers by default (``actionhub build --encoder-precision``). int8 costs 0.0015
# mAP in the default cascade on ActivityNet val_1 (0.4077 -> 0.4062) and takes its score stage past 12,000
# descriptions/s at the paper's scale (docs/actionhub.md). The library's own functions (``make_scorer``,
# ``definition``, ``EncoderConfig``) stay fp32 unless told: exact MiniLM features.
DEFAULT_ENCODER_PRECISION = "int8"


@dataclass(frozen=True)
class FusionConstants:
    """One embedding's fusion constants (chosen on ActivityNet train captions, never on validation).

    Attributes:
        weight: ``w``, the semantic rank's share; ``1 - w`` goes to the site's rank.
        k: the reciprocal-rank offset.
        semantic: calibration and feedback of the semantic score.
    """

    weight: float
    k: float
    semantic: SemanticConfig

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0 or self.k < 0:
            raise ValueError(f"fusion needs 0 <= weight <= 1 and k >= 0, got weight={self.weight}, k={self.k}")


# Per embedding: benchmarks/activitynet/fusion.py tunes them on train captions (results in docs/benchmarks).
FUSION = {"static": FusionConstants(0.9, 30.0, SemanticConfig(temperature=0.05, feedback=30, feedback_weight=0.5)),
          "encoder": FusionConstants(0.9, 30.0, SemanticConfig(temperature=0.05, feedback=30, feedback_weight=0.5))}


def word_vector_scorer(kv: KeyedVectors | None = None, stop_words: Iterable[str] | None = None) -> Scorer:
    """The paper's scorer; defaults: bundled GloVe and NLTK English stop words."""
    if kv is None:
        from actionhub.assets import load_vectors

        kv = load_vectors()
    if stop_words is None:
        from actionhub.normalize import stop_words as load_stop_words

        stop_words = load_stop_words()
    vectors = WordVectors(kv, stop_words)
    return lambda table, actions: word_vector_relevance(table["description"], np.asarray(table["action_id"]),
                                                        actions, vectors)


def _embedded(embed: Embed, table: pa.Table, actions: dict[int, str], cache: dict | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(text embeddings (n, d), row of each text's action in the action embeddings (n,), action embeddings (A, d)).

    ``cache`` (the scorer's own dict) keeps the action embeddings of the last ``actions`` seen: a streamed build
    scores chunk after chunk against the same actions, and MiniLM would otherwise re-encode every name per chunk.
    """
    ids = sorted(actions)
    names = tuple(actions[i] for i in ids)
    action_emb = cache.get(names) if cache is not None else None
    if action_emb is None:
        action_emb = embed(list(names))  # (A, d) unit rows
        if cache is not None:
            cache.clear()
            cache[names] = action_emb
    text_emb = embed(tokens.string_array(table["description"]))  # (n, d)
    return text_emb, np.searchsorted(np.asarray(ids), np.asarray(table["action_id"])), action_emb


def cosine_scorer(embed: Embed) -> Scorer:
    """Cosine between the embedding of each description and that of its action's name."""
    cache: dict = {}

    def score(table: pa.Table, actions: dict[int, str]) -> np.ndarray:
        text_emb, own, action_emb = _embedded(embed, table, actions, cache)
        return np.einsum("nd,nd->n", text_emb, action_emb[own]).astype(np.float32)

    return score


def semantic_scorer(embed: Embed, config: SemanticConfig | None = None) -> Scorer:
    """Cosine calibrated over all actions, plus feedback from the action's top descriptions (:mod:`.semantic`)."""

    cache: dict = {}

    def score(table: pa.Table, actions: dict[int, str]) -> np.ndarray:
        return semantic_relevance(*_embedded(embed, table, actions, cache), config)

    return score


def encoder_embed(config=None) -> Embed:
    """MiniLM sentence embeddings (``actionhub.encoder.EncoderConfig``; default fp32) as an :data:`Embed`."""
    from actionhub.encoder import Encoder

    encoder = Encoder.load(config)
    return lambda texts: encoder.encode(texts.to_pylist() if isinstance(texts, pa.Array) else list(texts))


def static_embed(folder: str | None = None) -> Embed:
    """The static (distilled) embedding as an :data:`Embed`: MiniLM's neighbourhoods at a table lookup's cost."""
    from actionhub.static import StaticEmbedding

    return StaticEmbedding.load(folder).encode


EMBEDDINGS: dict[str, Callable[[], Embed]] = {"static": static_embed, "encoder": encoder_embed}


def encoder_scorer(config=None) -> Scorer:
    """MiniLM sentence-embedding cosine (``actionhub.encoder.EncoderConfig``; default fp32)."""
    return cosine_scorer(encoder_embed(config))


def static_scorer(folder: str | None = None) -> Scorer:
    """Static (distilled) embedding cosine."""
    return cosine_scorer(static_embed(folder))


def site_ranks(action_ids: np.ndarray, site_rank: pa.Array | pa.ChunkedArray | None) -> np.ndarray:
    """(n,) float64 1-based rank of each description within its action by the site's own order; infinite (no
    site term in the fusion) for a description without a site position."""
    n = len(action_ids)
    if site_rank is None:
        return np.full(n, np.inf)
    known = np.asarray(pc.is_valid(site_rank))
    position = np.asarray(pc.fill_null(site_rank, 0), dtype=np.float64)
    return np.where(known, ranks(action_ids, np.where(known, -position, -np.inf)), np.inf)


def fused_relevance(action_ids: np.ndarray, semantic: np.ndarray, site_rank: np.ndarray, weight: float,
                    k: float) -> np.ndarray:
    """Reciprocal-rank fusion (n,) float32 of a semantic score and the site's 1-based rank, within actions."""
    semantic_rank = ranks(action_ids, semantic).astype(np.float64)
    return (weight / (k + semantic_rank) + (1 - weight) / (k + site_rank)).astype(np.float32)


def fusion_scorer(embedding: str | Embed = "static", constants: FusionConstants | None = None) -> Scorer:
    """The default: the calibrated semantic relevance of each description, its rank fused with the site's rank
    (``site_rank`` column) within the action.

    Args:
        embedding: ``static`` or ``encoder`` (a key of ``EMBEDDINGS``), or any :data:`Embed` function.
        constants: default ``FUSION[embedding]`` (``FUSION["static"]`` for a function).
    """
    c = constants or FUSION[embedding if isinstance(embedding, str) else "static"]
    base = semantic_scorer(EMBEDDINGS[embedding]() if isinstance(embedding, str) else embedding, c.semantic)

    def score(table: pa.Table, actions: dict[int, str]) -> np.ndarray:
        action_ids = np.asarray(table["action_id"])
        site = table["site_rank"] if "site_rank" in table.column_names else None
        return fused_relevance(action_ids, base(table, actions), site_ranks(action_ids, site), c.weight, c.k)

    return score


def cascade_scorer(config=None, encoder=None) -> Scorer:
    """``fusion`` on every description, ``fusion-encoder`` on each action's top share (``actionhub.cascade``).

    Args:
        config: a ``CascadeConfig`` (default: top 1%, at least 20).
        encoder: the second stage's ``actionhub.encoder.EncoderConfig`` (default fp32).
    """
    return two_stage_scorer(fusion_scorer("static"), fusion_scorer(encoder_embed(encoder), FUSION["encoder"]), config)


# Registry: name -> factory of a scorer (factories load their assets on call). Every factory takes the build's
# options as keywords, all optional, and uses those it needs: ``vectors`` (loaded word vectors), ``encoder``
# (an ``actionhub.encoder.EncoderConfig``), ``cascade`` (a ``CascadeConfig``); see :func:`make_scorer`.
SCORERS: dict[str, Callable[..., Scorer]] = {
    "fusion": lambda **_: fusion_scorer("static"),
    "fusion-encoder": lambda encoder=None, **_: fusion_scorer(encoder_embed(encoder), FUSION["encoder"]),
    "fusion-cascade": lambda encoder=None, cascade=None, **_: cascade_scorer(cascade, encoder),
    "static": lambda **_: static_scorer(),
    "encoder": lambda encoder=None, **_: encoder_scorer(encoder),
    "word-vectors": lambda vectors=None, **_: word_vector_scorer(vectors),
}

# One sentence per scorer for the dataset card, which names the scorer that ranked the dataset.
def _fusion_card(embedding: str, what: str) -> str:
    c = FUSION[embedding]
    return (f"the {what} similarity of the description to the action name, calibrated over all actions of the "
            f"build (log-softmax, T={c.semantic.temperature:g}) plus {c.semantic.feedback_weight:g}/T times its "
            f"cosine to the mean of the action's {c.semantic.feedback} most relevant descriptions; its rank fused "
            f"with the footage site's own rank of the description by reciprocal-rank fusion, weights "
            f"{c.weight:g}/{1 - c.weight:g}, k={c.k:g}; higher is more relevant.")


def _cascade_card(config: CascadeConfig) -> str:
    return ("two stages: every description ranked by " + _fusion_card("static", "static-embedding")[:-1]
            + f"; then the top {config.fraction:.0%} of each action's descriptions (at least {config.minimum}) "
            "re-ranked above the rest by " + _fusion_card("encoder", "all-MiniLM-L6-v2"))


CARD_TEXT = {
    "fusion": _fusion_card("static", "static-embedding (a table distilled from all-MiniLM-L6-v2 and tuned to it on "
                                     "WordNet's glosses)"),
    "fusion-encoder": _fusion_card("encoder", "all-MiniLM-L6-v2"),
    "fusion-cascade": _cascade_card(CascadeConfig()),
    "static": "cosine between static embeddings (distilled from all-MiniLM-L6-v2 and tuned to it on WordNet's "
              "glosses) of the description and of the action name.",
    "encoder": "cosine between all-MiniLM-L6-v2 sentence embeddings of the description and of the action name.",
    "word-vectors": "cosine between the mean word vector of the description and the mean word vector of the "
                    "action name (GloVe 6B 50-d by default; stop words and out-of-vocabulary words skipped; a text "
                    "with no known word scores 0), as in the paper.",
}


# The scorers that run MiniLM, so take its precision; those that read the static table.
ENCODER_SCORERS = frozenset({"encoder", "fusion-encoder", "fusion-cascade"})
STATIC_SCORERS = frozenset({"static", "fusion", "fusion-cascade"})


def make_scorer(name: str, vectors=None, precision: str = "fp32", cascade: CascadeConfig | None = None) -> Scorer:
    """The registry's scorer ``name`` with a build's options (the registry's factories take the defaults).

    Args:
        name: a key of :data:`SCORERS`.
        vectors: loaded word vectors for ``word-vectors`` (default: the factory's).
        precision: MiniLM's ``fp32`` or ``int8`` for :data:`ENCODER_SCORERS` (``actionhub.encoder``).
        cascade: the share ``fusion-cascade`` re-ranks (default ``CascadeConfig()``).
    """
    from actionhub.encoder import EncoderConfig

    return SCORERS[name](vectors=vectors, encoder=EncoderConfig(precision=precision), cascade=cascade)


def definition(name: str, precision: str = "fp32", cascade: CascadeConfig | None = None) -> str:
    """The card's sentence for scorer ``name`` with these options (what the build's score stage depends on)."""
    text = _cascade_card(cascade or CascadeConfig()) if name == "fusion-cascade" else CARD_TEXT.get(name, "")
    if name in ENCODER_SCORERS and precision != "fp32":
        text += f" MiniLM ran at {precision} precision (dynamic quantisation; see actionhub.encoder)."
    if name in STATIC_SCORERS:  # the table's own digest: a re-tuned table re-scores a build and shows on the card
        from actionhub.static import table_digest

        text += f" Static table sha256 {table_digest()[:16]}."
    return text


def score(descriptions: pa.Table, scorer: Scorer, actions: dict[int, str]) -> pa.Table:
    """Adds ``relevance`` and ``rank`` (ties broken by description_id) to a processed descriptions table."""
    action_ids = np.asarray(descriptions["action_id"])
    relevance = scorer(descriptions, actions)
    tie = np.asarray(pc.rank(descriptions["description_id"], sort_keys="ascending", tiebreaker="first"))
    rank = ranks(action_ids, relevance, tie)
    scored = descriptions.append_column("relevance", pa.array(relevance, pa.float32()))
    return scored.append_column("rank", pa.array(rank, pa.int32())).cast(schema.DESCRIPTIONS)
