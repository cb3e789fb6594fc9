"""The dedup key of a search query: lower case, stop words removed, each word lemmatized with WordNet.

Two queries name the same action when their keys are equal (``laughing`` and ``laugh`` -> ``laugh``).

Lemmatizer: WordNet's ``morphy`` candidates (reimplemented over WordNet's index and exception files, see
:class:`Morphy`; the parsed tables are cached under :func:`cache_dir`, keyed by the files' sha256, so no
WordNet reader and no ``import nltk`` happens at run time) with a part-of-speech guess from the word's
shape, choosing among the candidates the lemma WordNet's sense-tagged corpus counts most often:

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

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# Particles that complete a phrasal verb; kept when they end a name (see module docstring).
PARTICLES = frozenset({"up", "down", "off", "out", "over", "on", "in", "away", "back"})
# -ing after consonant-vowel-consonant: a verb ending so would double its last consonant (tap -> tapping).
_SINGLE_CONSONANT_ING = re.compile(r"(?:^|[^aeiou])[aeiou][^aeiouwxy]ing$")
_UNKNOWN_PLURAL = re.compile(r"^[^\W\d_]{3,}[^siu]s$")  # not "-ss", "-is", "-us"
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, with inner apostrophes ("person's", "don't")

# WordNet's morphological rules per part of speech (the WordNet morphy(7WN) man page; the same table as
# NLTK's WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS): suffix -> replacement, each tried once.
SUBSTITUTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}
_FILE_POS = {"n": "noun", "v": "verb", "a": "adj"}
# The WordNet files the tables are read from; their sha256 names the cache file.
WORDNET_FILES = tuple(f"index.{s}" for s in _FILE_POS.values()) + tuple(f"{s}.exc" for s in _FILE_POS.values()) \
    + ("cntlist.rev",)
_CACHE_FORMAT = 1


def _nltk_data_dir(name: str) -> Path:
    """The directory of NLTK corpus ``name``, found without importing nltk (which takes seconds).

    Searches NLTK's own default path list (``$NLTK_DATA``, ``~/nltk_data``, ``<prefix>/{,share/,lib/}nltk_data``,
    the system directories); anything else (a zipped corpus, a path appended at run time) goes through
    ``actionhub.assets.nltk_resource``, which asks nltk itself.
    """
    roots = [p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    roots += [str(Path("~/nltk_data").expanduser())]
    roots += [os.path.join(sys.prefix, d) for d in ("nltk_data", "share/nltk_data", "lib/nltk_data")]
    roots += ["/usr/share/nltk_data", "/usr/local/share/nltk_data", "/usr/lib/nltk_data", "/usr/local/lib/nltk_data"]
    for root in roots:
        path = Path(root) / "corpora" / name
        if path.is_dir():
            return path
    from actionhub.assets import nltk_resource

    return nltk_resource(name)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """NLTK's English stop words (its ``stopwords/english`` word list: one per line), loaded once."""
    text = (_nltk_data_dir("stopwords") / "english").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Morphy:
    """WordNet's morphy over its index and exception files, and the sense counts of its tagged corpus.

    Attributes:
        lemmas: part of speech (``n``, ``v``, ``a``) -> every lemma WordNet lists for it.
        exceptions: part of speech -> irregular form -> its base forms (``n``: ``leaves`` -> ``leaf``, ``leave``).
        counts: ``(lemma, "n" | "v")`` -> how often WordNet's sense-tagged corpus saw it, summed over its senses
            (the same numbers as NLTK's ``Lemma.count()``).
    """

    lemmas: dict[str, frozenset[str]]
    exceptions: dict[str, dict[str, tuple[str, ...]]]
    counts: dict[tuple[str, str], int]

    def candidates(self, form: str, pos: str) -> list[str]:
        """The lemmas ``form`` may be a form of: itself if a lemma, then its exceptions, else the suffix rules.

        The documented morphy algorithm (and NLTK's): irregular forms replace the rules; only forms WordNet
        lists for ``pos`` are kept, first occurrence first.
        """
        if form in self.exceptions[pos]:
            forms = list(self.exceptions[pos][form])
        else:
            forms = [form[:-len(old)] + new for old, new in SUBSTITUTIONS[pos] if form.endswith(old)]
        known = self.lemmas[pos]
        return [f for f in dict.fromkeys([form, *forms]) if f in known]

    @classmethod
    def read(cls, wordnet_dir: Path) -> Morphy:
        """Parses the WordNet files (about 0.3 s)."""
        lemmas, exceptions = {}, {}
        for pos, suffix in _FILE_POS.items():
            with open(wordnet_dir / f"index.{suffix}", encoding="utf-8") as fh:
                lemmas[pos] = frozenset(line.split(" ", 1)[0] for line in fh if not line.startswith(" "))
            with open(wordnet_dir / f"{suffix}.exc", encoding="utf-8") as fh:
                exceptions[pos] = {t[0]: tuple(t[1:]) for t in (line.split() for line in fh) if t}
        counts: dict[tuple[str, str], int] = {}
        pos_of = {"1": "n", "2": "v"}  # lines: lemma%ss_type:lex_filenum:...  sense_number  count
        with open(wordnet_dir / "cntlist.rev", encoding="utf-8") as fh:
            for line in fh:
                sense_key, _, count = line.split()
                lemma_name, _, rest = sense_key.partition("%")
                pos = pos_of.get(rest[:1])
                if pos:
                    counts[(lemma_name, pos)] = counts.get((lemma_name, pos), 0) + int(count)
        return cls(lemmas, exceptions, counts)

    def to_json(self) -> str:
        return json.dumps({"format": _CACHE_FORMAT, "lemmas": {p: sorted(v) for p, v in self.lemmas.items()},
                           "exceptions": self.exceptions,
                           "counts": [[lemma, pos, n] for (lemma, pos), n in sorted(self.counts.items())]})

    @classmethod
    def from_json(cls, text: str) -> Morphy:
        data = json.loads(text)
        if data.get("format") != _CACHE_FORMAT:
            raise ValueError("old cache format")
        return cls({p: frozenset(v) for p, v in data["lemmas"].items()},
                   {p: {k: tuple(v) for k, v in m.items()} for p, m in data["exceptions"].items()},
                   {(lemma, pos): n for lemma, pos, n in data["counts"]})


def cache_dir() -> Path:
    """Where derived data is cached: ``$ACTIONHUB_CACHE``, else ``$XDG_CACHE_HOME/actionhub``, else
    ``~/.cache/actionhub``."""
    if os.environ.get("ACTIONHUB_CACHE"):
        return Path(os.environ["ACTIONHUB_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()) / "actionhub"


def wordnet_digest(wordnet_dir: Path) -> str:
    """sha256 over the WordNet files the tables come from (names and contents)."""
    digest = hashlib.sha256()
    for name in WORDNET_FILES:
        digest.update(name.encode() + b"\0" + (wordnet_dir / name).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _morphy() -> Morphy:
    """The WordNet tables: from the cache when its key matches the files, else parsed and cached."""
    from actionhub import atomic

    wordnet_dir = _nltk_data_dir("wordnet")
    path = cache_dir() / f"wordnet-morphy-{wordnet_digest(wordnet_dir)[:32]}.json"
    try:
        return Morphy.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent, unreadable or from another format: rebuild
    morphy = Morphy.read(wordnet_dir)
    with contextlib.suppress(OSError):  # a read-only cache directory costs 0.3 s per process, nothing else
        atomic.write_text(path, morphy.to_json(), durable=False)
    return morphy


def load() -> None:
    """Loads the stop words and the WordNet tables now (well under a second, once), so later calls are fast."""
    stop_words()
    _morphy()


def words(text: str) -> list[str]:
    """Splits text into lower-case words; a possessive ``'s`` is dropped (``person's`` -> ``person``)."""
    out = []
    for word in _WORD.findall(text.lower()):
        out.append(word[:-2] if word.endswith("'s") else word)
    return out


@cache
def lemma(word: str) -> str:
    """The WordNet lemma of one lower-case word (see the module docstring for the strategy)."""
    morphy = _morphy()
    order = ("v", "n") if word.endswith("ing") else ("n", "v")
    for pos in order:
        candidates = morphy.candidates(word, pos)  # the word itself if a lemma, then exceptions, then suffix rules
        if pos == "v" and _SINGLE_CONSONANT_ING.search(word) and word[:-3] + "e" in candidates:
            return word[:-3] + "e"  # "riding": "rid" would have doubled its consonant ("ridding")
        if candidates:
            counts = morphy.counts
            # Most frequent first; of equal counts, the shortest (jacks/jack -> jack).
            best = max(candidates, key=lambda c, pos=pos: (counts.get((c, pos), 0), -len(c)))
            return best.replace("_", " ")
    if _UNKNOWN_PLURAL.search(word) and not morphy.candidates(word, "a"):
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
