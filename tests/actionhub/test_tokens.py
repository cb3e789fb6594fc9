"""Column-wide word splitting: words and the row each came from, against hand-split texts."""

from __future__ import annotations

import pyarrow as pa

from actionhub import normalize, tokens


def test_explode_words_gives_each_word_its_row():
    texts = pa.array(["T-shirt, 4K!", None, "...", "Person's  DOG"], pa.string())
    words, rows = tokens.explode_words(texts)
    assert words.to_pylist() == ["t", "shirt", "4k", "person", "s", "dog"]
    assert rows.tolist() == [0, 0, 0, 3, 3, 3]


def test_chunked_and_list_inputs_agree():
    chunked = pa.chunked_array([["a b"], ["c"]])
    assert tokens.explode_words(chunked)[0].to_pylist() == tokens.explode_words(["a b", "c"])[0].to_pylist()
    assert tokens.explode_words(chunked)[1].tolist() == [0, 0, 1]


def test_query_words_differ_from_column_words_only_where_documented():
    # normalize.words keeps a query's inner apostrophes and drops a possessive 's; explode_words splits at them.
    assert normalize.words("Person's don't") == ["person", "don't"]
    assert tokens.explode_words(["Person's don't"])[0].to_pylist() == ["person", "s", "don", "t"]
