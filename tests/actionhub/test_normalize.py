"""The dedup key: stop words, lemmas, and the traps a naive lemmatizer falls into."""

from __future__ import annotations

import pytest

from actionhub import normalize

# (query, expected key), worked by hand; the words come from real class names of the sources.
KEYS = [
    ("laughing", "laugh"),
    ("laugh", "laugh"),
    ("riding a bike", "ride bike"),  # not "rid"
    ("ride bike", "ride bike"),
    ("folding clothes", "fold clothes"),  # not "clothe"
    ("blowing leaves", "blow leaf"),  # not "leave"
    ("swinging at the playground", "swing playground"),  # not "swinge"
    ("taping", "tape"),
    ("tapping", "tap"),
    ("dying hair", "die hair"),
    ("installing carpet", "install carpet"),  # not "instal"
    ("putting on shoes", "put shoe"),  # a mid-name particle is a stop word
    ("push up", "push up"),  # a name-final particle is kept
    ("push ups", "push up"),
    ("get up", "get up"),
    ("massaging person's head", "massage person head"),
    ("building sandcastles", "build sandcastle"),  # WordNet does not know "sandcastle"
    ("motocross", "motocross"),  # not a plural
    ("playing rubiks cube", "play rubik cube"),
    ("doing fencing", "fence"),
    ("blow-drying hair", "blow dry hair"),
    ("yo-yo", "yo yo"),
    ("diving platform 10m", "dive platform 10m"),
]


@pytest.mark.parametrize(("query", "key"), KEYS)
def test_keys_as_worked_by_hand(query, key):
    assert normalize.dedup_key(query) == key


@pytest.mark.parametrize("query", ["the", "doing it", "up", "", "(  )"])
def test_only_stop_words_leave_nothing(query):
    assert normalize.dedup_key(query) == ""


def test_stop_words_are_nltks_english_list():
    stop = normalize.stop_words()
    assert {"the", "a", "of", "doing", "up"} <= stop
    assert not {"playing", "laugh", "ride"} & stop


def test_words_lowercases_and_drops_possessive():
    assert normalize.words("Massaging Person's head-band") == ["massaging", "person", "head", "band"]


def _class_name_words() -> list[str]:
    """Every distinct word of every class name of every packaged source (the real inputs of the lemmatizer)."""
    from actionhub.sources import SOURCES

    return sorted({w for source in SOURCES.values() for name in source.names() for w in normalize.words(name)})


def test_morphy_equals_nltks_public_lemmatizers_on_every_class_name_word():
    from nltk.corpus import wordnet as wn
    from nltk.stem import WordNetLemmatizer

    lemmatizer, morphy = WordNetLemmatizer(), normalize._morphy()
    words = _class_name_words()
    assert len(words) > 1000
    for word in words:
        for pos in ("n", "v", "a"):
            ours = morphy.candidates(word, pos)
            # lemmatize(): the shortest candidate, or the word; morphy(): the first candidate, or None.
            assert (min(ours, key=len) if ours else word) == lemmatizer.lemmatize(word, pos), (word, pos)
            assert (ours[0] if ours else None) == wn.morphy(word, pos), (word, pos)


@pytest.mark.parametrize(("word", "pos", "expected"), [
    ("leaves", "n", ["leaf", "leave"]), ("leaves", "v", ["leave"]), ("riding", "v", ["ride", "rid"]),
    ("clothes", "n", ["clothes"]), ("sandcastles", "n", []), ("better", "a", ["better", "good", "well"]),
])
def test_morphy_candidates_follow_the_documented_rules(word, pos, expected):
    assert normalize._morphy().candidates(word, pos) == expected


@pytest.mark.parametrize(("lemma_name", "pos"),
                         [("ride", "v"), ("rid", "v"), ("shoe", "n"), ("hand", "n"), ("swing", "v")])
def test_sense_counts_match_nltks_lemma_count(lemma_name, pos):
    from nltk.corpus import wordnet as wn

    expected = sum(lem.count() for lem in wn.lemmas(lemma_name, pos))
    assert normalize._morphy().counts.get((lemma_name, pos), 0) == expected


def test_stop_words_equal_nltks_reader():
    from nltk.corpus import stopwords

    assert normalize.stop_words() == frozenset(stopwords.words("english"))


def test_wordnet_tables_are_cached_by_the_files_checksum(tmp_path, monkeypatch):
    import shutil

    source = normalize._nltk_data_dir("wordnet")
    wordnet = tmp_path / "nltk" / "corpora" / "wordnet"
    wordnet.mkdir(parents=True)
    for name in normalize.WORDNET_FILES:
        shutil.copy(source / name, wordnet)
    monkeypatch.setattr(normalize, "_nltk_data_dir", lambda name: wordnet)
    monkeypatch.setenv("ACTIONHUB_CACHE", str(tmp_path / "cache"))
    normalize._morphy.cache_clear()
    try:
        built = normalize._morphy()
        (cached,) = (tmp_path / "cache").glob("wordnet-morphy-*.json")
        assert normalize.wordnet_digest(wordnet)[:32] in cached.name
        normalize._morphy.cache_clear()
        assert normalize._morphy() == built  # read back from the cache, equal tables
        cached.write_text("{not json")
        normalize._morphy.cache_clear()
        assert normalize._morphy() == built  # a corrupt cache is rebuilt
        with open(wordnet / "verb.exc", "a", encoding="utf-8") as fh:
            fh.write("zonked zonk\n")  # WordNet changed: a new key, new tables
        normalize._morphy.cache_clear()
        assert normalize._morphy().exceptions["v"]["zonked"] == ("zonk",)
        assert len(list((tmp_path / "cache").glob("wordnet-morphy-*.json"))) == 2
    finally:
        normalize._morphy.cache_clear()


def test_loading_needs_no_nltk_import():
    import subprocess
    import sys

    code = ("import sys; from actionhub import normalize; normalize.load(); "
            "print(normalize.dedup_key('riding a bike'), 'nltk' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["ride", "bike", "False"], out.stderr
