"""How the query stage's choices move the action count, on the real class names of the paper's seven sources.

Prints, per lemmatizer, the number of actions and the merges it makes or misses relative to ours
(actionhub.normalize.lemma); then the count under alternative cleaning rules. Usage:
``python benchmarks/bench_query_choices.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from actionhub import normalize
from actionhub.sources import PAPER_SOURCES, SOURCES, drop_parentheticals, squash


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

    print("\ncleaning variants (number of actions):")
    for label, count in _cleaning_variants().items():
        print(f"  {label}: {count}")


def _count(queries: list[str]) -> int:
    return len({normalize.dedup_key(q) for q in queries})


def _cleaning_variants() -> dict[str, int]:
    """The number of actions of the seven sources under alternative cleaning rules (ours first)."""
    def queries(override: dict[str, Callable[[str], list[str]]]) -> list[str]:
        return [q for name in PAPER_SOURCES for n in SOURCES[name].names()
                for q in override.get(name, SOURCES[name].clean)(n)]

    def sense_tags_kept(n: str) -> list[str]:  # "curling (sport)" -> "curling sport"; "(not ...)" still dropped
        return [squash(n.split(" (not ")[0].replace("(", " ").replace(")", " "))]

    ours = queries({})
    counts = {
        "ours": _count(ours),
        "AVA a/b kept as one query ('fight hit')": _count(
            queries({"ava": lambda n: [squash(drop_parentheticals(n).replace("/", " "))]})),
        "Kinetics sense tags kept ('curling sport')": _count(queries({"kinetics700": sense_tags_kept})),
    }
    saved = normalize.PARTICLES
    normalize.PARTICLES = frozenset()  # every stop word removed, as in the paper's wording
    try:
        counts["no name-final particle kept ('push up' = 'push')"] = _count(ours)
    finally:
        normalize.PARTICLES = saved
    return counts


if __name__ == "__main__":
    main()
