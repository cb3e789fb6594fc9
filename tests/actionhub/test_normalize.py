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


def test_wordnet_is_loaded_once():
    normalize.load()
    assert normalize._wordnet() is normalize._wordnet()
    assert normalize._wordnet.cache_info().currsize == 1


@pytest.mark.parametrize(("lemma_name", "pos"),
                         [("ride", "v"), ("rid", "v"), ("shoe", "n"), ("hand", "n"), ("swing", "v")])
def test_sense_counts_match_nltks_lemma_count(lemma_name, pos):
    wn = normalize._wordnet()
    expected = sum(lem.count() for lem in wn.lemmas(lemma_name, pos))
    assert normalize._sense_counts().get((lemma_name, pos), 0) == expected
