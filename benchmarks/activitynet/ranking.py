"""Experiment 1: rank labelled validation sentences against each action name with each relevance scorer.

For every one of the 200 actions, all sentences of the single-label val_1 videos are ranked by a scorer's
relevance to the action name; a sentence is relevant when its video carries that action. The figure per
scorer is the mean over actions of average precision; chance is the mean positive rate. Ties (frequent for
BM25, which gives 0 to every sentence sharing no word with the name) are broken by one seeded random
permutation, because the caption file keeps a video's sentences together and file order would leak labels.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.activitynet.cache import cache_key, cached_array, text_digest
from benchmarks.activitynet.data import Split
from benchmarks.activitynet.metrics import average_precision, chance_ap

# (texts, action names) -> (len(names), len(texts)) relevance scores, higher is more relevant.
Scorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class LabelledSentences:
    """Sentences with the label of the video each came from.

    Attributes:
        texts: N sentences.
        labels: (N,) int indices into ``classes``.
        classes: Action names.
    """

    texts: tuple[str, ...]
    labels: np.ndarray
    classes: tuple[str, ...]

    @classmethod
    def from_split(cls, split: Split) -> LabelledSentences:
        """One row per sentence of every kept video of ``split``."""
        classes = split.classes
        index = {c: i for i, c in enumerate(classes)}
        texts = [s for v in split.videos for s in v.sentences]
        labels = np.array([index[v.label] for v in split.videos for _ in v.sentences], dtype=np.int64)
        return cls(tuple(texts), labels, classes)

    def relevant(self) -> np.ndarray:
        """(C, N) bool: sentence n belongs to a video of class c."""
        return self.labels[None, :] == np.arange(len(self.classes))[:, None]


def bm25_scorer(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """BM25 of every text for each name as query.

    bm25s, Lucene variant (k1=1.5, b=0.75), English stop words removed, Porter stems: the settings of the
    harvester's ``corpus`` site, so experiment 1's BM25 is the ranking experiment 2 harvests with.
    """
    import bm25s
    from nltk.stem.porter import PorterStemmer

    porter = PorterStemmer()

    def stem(words: list[str]) -> list[str]:
        return [porter.stem(w) for w in words]

    retriever = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    corpus = bm25s.tokenize(list(texts), stopwords="en", stemmer=stem, show_progress=False)
    retriever.index(corpus, show_progress=False)
    queries = bm25s.tokenize(list(names), stopwords="en", stemmer=stem, return_ids=False, show_progress=False)
    return np.stack([retriever.get_scores(q) if q else np.zeros(len(texts)) for q in queries]).astype(np.float32)


def evaluate_scorers(sentences: LabelledSentences, scorers: dict[str, Scorer], cache_dir: Path | None,
                     seed: int = 0, check: Callable[[str, np.ndarray], float | None] | None = None,
                     keep: dict[str, np.ndarray] | None = None) -> dict[str, dict]:
    """Mean AP of each scorer (a failing scorer is recorded with its error, the others still run).

    Args:
        sentences: What to rank.
        scorers: Name -> score-matrix function.
        cache_dir: Score matrices are cached here (None: no cache).
        seed: Seeds the tie-breaking permutation.
        check: Optional (name, scores) -> a discrepancy figure stored as ``check`` (e.g. against a reference).
        keep: When given, receives each scorer's score matrix by name (for fusion).

    Returns:
        ``{scorer: {"map", "map_std_over_actions", "seconds", "per_action": {name: ap}}}`` or
        ``{scorer: {"error": str}}``, plus ``"chance"`` with the mean positive rate.
    """
    relevant = sentences.relevant()
    tiebreak = np.random.default_rng(seed).permutation(len(sentences.texts))
    digest = text_digest(sentences.texts + sentences.classes)
    results: dict[str, dict] = {"chance": {"map": float(chance_ap(relevant).mean())}}
    for name, scorer in scorers.items():
        start = time.perf_counter()
        try:
            scores = cached_array(cache_dir, f"scores-{name}", cache_key(scorer=name, texts=digest),
                                  lambda s=scorer: s(sentences.texts, sentences.classes))
        except Exception as exc:  # one scorer's failure (missing asset, API change) must not hide the others
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        if keep is not None:
            keep[name] = scores
        ap = average_precision(scores, relevant, tiebreak)
        if check is not None:
            results.setdefault("checks", {})[name] = check(name, scores)
        results[name] = {"map": float(np.nanmean(ap)), "map_std_over_actions": float(np.nanstd(ap)),
                         "seconds": round(time.perf_counter() - start, 1),
                         "per_action": dict(zip(sentences.classes, np.round(ap, 4).tolist(), strict=True))}
    return results
