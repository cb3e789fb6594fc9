"""The dedup key of a search query: lower case, stop words removed, each word lemmatized with WordNet.

Two queries name the same action when their keys are equal (``laughing`` and ``laugh`` -> ``laugh``).

Lemmatizer: WordNet (NLTK's ``morphy`` candidates) with a part-of-speech guess from the word's shape,
choosing among the candidates the lemma WordNet's sense-tagged corpus counts most often:

* a word ending in ``-ing`` is tried as a verb first, then as a noun, so a gerund meets its verb
  (``laughing`` = ``laugh``). English spelling settles ``-e`` or not after a single consonant: a verb
  like ``tap`` or ``rid`` doubles it (``tapping``, ``ridding``), so ``taping`` -> ``tape`` and ``riding``
  -> ``ride``; elsewhere frequency decides (``swinging`` -> ``swing`` over ``swinge``, ``dying`` -> ``die``);
* any other word is tried as a noun first (``clothes`` stays ``clothes``, ``leaves`` -> ``leaf``,
  ``shoes`` -> ``shoe``), then as a verb;
* of equally counted candidates the shortest wins (``jacks`` -> ``jack``);
* a word WordNet does not know stays as it is (``situp``, ``daf``), except that a final ``s`` is taken
  for a plural (``sandcastles`` -> ``sandcastle``, ``rubiks`` -> ``rubik``; not ``-ss``, ``-is``, ``-us``).

NLTK's own ``WordNetLemmatizer`` takes the *shortest* candidate, which turns ``riding`` into ``rid``;
spaCy's lookup table has no part of speech and turns ``clothes`` into ``clothe`` and ``leaves`` into
``leave``. docs/actionhub.md ("Queries") compares them on the real class names.

Stop words are NLTK's English list from the project's NLTK data directory, with one exception: a
particle at the end of a name, right after another word, is kept (``push up``, ``get up``, ``put down``),
because there it is part of the action: ``push up`` is not ``push``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

# Particles that complete a phrasal verb; kept when they end a name (see module docstring).
PARTICLES = frozenset({"up", "down", "off", "out", "over", "on", "in", "away", "back"})
# -ing after consonant-vowel-consonant: a verb ending so would double its last consonant (tap -> tapping).
_SINGLE_CONSONANT_ING = re.compile(r"(?:^|[^aeiou])[aeiou][^aeiouwxy]ing$")
_UNKNOWN_PLURAL = re.compile(r"^[^\W\d_]{3,}[^siu]s$")  # not "-ss", "-is", "-us"
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, with inner apostrophes ("person's", "don't")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """NLTK's English stop words (loaded once)."""
    from nltk.corpus import stopwords

    from actionhub.assets import nltk_resource

    nltk_resource("stopwords")
    return frozenset(stopwords.words("english"))


@lru_cache(maxsize=1)
def _wordnet() -> Any:
    from nltk.corpus import wordnet

    from actionhub.assets import nltk_resource

    nltk_resource("wordnet")
    wordnet.ensure_loaded()
    return wordnet


@lru_cache(maxsize=1)
def _sense_counts() -> dict[tuple[str, str], int]:
    """(lemma, "n" | "v") -> how often WordNet's sense-tagged corpus saw it, summed over its senses.

    Read straight from ``cntlist.rev`` (lines ``lemma%ss_type:...  sense_number  count``): the same
    numbers as NLTK's ``Lemma.count()``, without loading a synset per candidate.
    """
    from actionhub.assets import nltk_resource

    counts: dict[tuple[str, str], int] = {}
    pos_of = {"1": "n", "2": "v"}
    with open(nltk_resource("wordnet") / "cntlist.rev", encoding="utf-8") as fh:
        for line in fh:
            sense_key, _, count = line.split()
            lemma_name, _, rest = sense_key.partition("%")
            pos = pos_of.get(rest[:1])
            if pos:
                counts[(lemma_name, pos)] = counts.get((lemma_name, pos), 0) + int(count)
    return counts


def load() -> None:
    """Loads the stop words, WordNet and its sense counts now (seconds, once), so later calls are fast."""
    stop_words()
    _sense_counts()
    _wordnet().morphy("riding", "v")


def words(text: str) -> list[str]:
    """Splits text into lower-case words; a possessive ``'s`` is dropped (``person's`` -> ``person``)."""
    out = []
    for word in _WORD.findall(text.lower()):
        out.append(word[:-2] if word.endswith("'s") else word)
    return out


@cache
def lemma(word: str) -> str:
    """The WordNet lemma of one lower-case word (see the module docstring for the strategy)."""
    wn = _wordnet()
    order = ("v", "n") if word.endswith("ing") else ("n", "v")
    for pos in order:
        candidates = wn._morphy(word, pos)  # the word itself if a lemma, then exceptions, then suffix rules
        if pos == "v" and _SINGLE_CONSONANT_ING.search(word) and word[:-3] + "e" in candidates:
            return word[:-3] + "e"  # "riding": "rid" would have doubled its consonant ("ridding")
        if candidates:
            counts = _sense_counts()
            # Most frequent first; of equal counts, the shortest (jacks/jack -> jack).
            best = max(candidates, key=lambda c, pos=pos: (counts.get((c, pos), 0), -len(c)))
            return best.replace("_", " ")
    if _UNKNOWN_PLURAL.search(word) and not wn._morphy(word, "a"):
        return word[:-1]  # "sandcastles", "rubiks": a plural of a word WordNet does not know
    return word


def content_words(text: str) -> list[str]:
    """The words of ``text`` with stop words removed, except a name-final particle after another word."""
    stop = stop_words()
    ws = words(text)
    keep = [w for w in ws if w not in stop]
    if len(ws) >= 2 and ws[-1] in PARTICLES and ws[-2] not in stop:
        keep.append(ws[-1])
    return keep


def dedup_key(query: str, lemmatize: Callable[[str], str] = lemma) -> str:
    """The dedup key of a query: its content words, lemmatized, joined by single spaces.

    Args:
        query: a cleaned search query.
        lemmatize: word -> lemma; the default is :func:`lemma` (others are compared in
            ``benchmarks/bench_query_choices.py``).

    Returns:
        The key, or an empty string when nothing is left (a name made only of stop words); callers treat
        that as an error.
    """
    return " ".join(lemmatize(w) for w in content_words(query))
