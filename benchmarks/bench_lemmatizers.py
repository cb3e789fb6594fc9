"""Compares lemmatizers for the query dedup key on the real class names of the paper's seven sources.

Prints, per lemmatizer: the number of actions, and the merges it makes or misses relative to ours
(actionhub.normalize.lemma). Usage: ``python benchmarks/bench_lemmatizers.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from actionhub import normalize
from actionhub.sources import PAPER_SOURCES, SOURCES


def _spacy_lookup() -> Callable[[str], str]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return lambda w: nlp(w)[0].lemma_


def _nltk_lemmatizer(pos: str) -> Callable[[str], str]:
    from nltk.stem import WordNetLemmatizer

    wnl = WordNetLemmatizer()
    return lambda w: wnl.lemmatize(w, pos)


def _groups(queries: list[str], lemmatize: Callable[[str], str]) -> set[frozenset[str]]:
    by_key: dict[str, set[str]] = {}
    for q in queries:
        by_key.setdefault(normalize.dedup_key(q, lemmatize), set()).add(q)
    return {frozenset(g) for g in by_key.values()}


def main() -> None:
    normalize.load()
    queries = [a.query for name in PAPER_SOURCES for a in SOURCES[name].aliases()]
    candidates = {
        "ours (WordNet, POS by shape, frequency)": normalize.lemma,
        "none": lambda w: w,
        "NLTK WordNetLemmatizer pos=n": _nltk_lemmatizer("n"),
        "NLTK WordNetLemmatizer pos=v": _nltk_lemmatizer("v"),
        "spaCy lookup (spacy-lookups-data)": _spacy_lookup(),
    }
    ours = _groups(queries, normalize.lemma)
    print(f"{len(queries)} aliases of {', '.join(PAPER_SOURCES)}")
    for label, lemmatize in candidates.items():
        start = time.perf_counter()
        groups = _groups(queries, lemmatize)
        seconds = time.perf_counter() - start
        extra = sorted(sorted(g) for g in groups - ours if len(g) > 1)
        missed = sorted(sorted(g) for g in ours - groups if len(g) > 1)
        print(f"\n{label}: {len(groups)} actions ({seconds * 1000:.0f} ms)")
        print(f"  merges ours lacks ({len(extra)}): {extra[:8]}")
        print(f"  merges of ours it lacks ({len(missed)}): {missed[:8]}")


if __name__ == "__main__":
    main()
