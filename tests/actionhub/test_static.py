"""The shipped static embedding: the mean of its tokenizer's rows by hand, its size, and MiniLM's neighbourhoods."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from actionhub.static import StaticEmbedding

# Punctuation-free on purpose: the vectorized path skips punctuation tokens, a whole-text tokenization keeps them.
TEXTS = ["playing drums", "a man is seen speaking to the camera and leads into him playing a set of drums",
         "the woman then begins brushing her teeth while looking into the mirror and smiling",
         "brushing teeth", "Ünïcode façade naïve café", "two teams play beach volleyball on the sand"]


@pytest.fixture(scope="module")
def model() -> StaticEmbedding:
    return StaticEmbedding.load()


def test_embedding_is_the_normalized_mean_of_token_rows(model):
    got = model.encode(TEXTS, chunk_rows=4)  # two chunks
    for text, row in zip(TEXTS, got, strict=True):
        ids = model.tokenizer.encode(text, add_special_tokens=False).ids
        expected = model.table[ids].mean(axis=0)
        np.testing.assert_allclose(row, expected / np.linalg.norm(expected), atol=1e-5)


def test_text_without_tokens_gets_a_zero_row(model):
    got = model.encode(["", "   ", "!!!", "drums"])
    assert not got[:3].any() and np.isclose(np.linalg.norm(got[3]), 1.0)


def test_shipped_table_is_small_and_names_its_source():
    folder = Path(str(files("actionhub") / "data" / "static"))
    meta = json.loads((folder / "meta.json").read_text())
    table = np.load(folder / "embeddings.npy", mmap_mode="r")
    assert table.dtype == np.float16 and list(table.shape) == meta["shape"] and table.shape[1] == meta["pca_dims"]
    assert (folder / "embeddings.npy").stat().st_size < 20 * 2**20
    assert meta["base"]["meta"]["versions"]["model2vec"] == "0.10.0"  # distilled by tools/distill_static.py
    assert meta["corpus"]["spec"] == "wordnet" and meta["fit"]["holdout_cosine"][-1] > meta["fit"]["holdout_cosine"][0]


def test_nearest_action_agrees_with_minilm(model):
    """On real class names and ActivityNet-style sentences, the static nearest name is MiniLM's."""
    from actionhub.encoder import Encoder, MissingExportError

    try:
        minilm = Encoder.load()
    except MissingExportError:
        pytest.skip("ONNX export not made (python tools/export_encoder.py)")
    names = ["playing drums", "brushing teeth", "beach volleyball", "riding a bike", "making a cake"]
    sentences = [TEXTS[1], TEXTS[2], TEXTS[5], "a boy rides his bicycle down a hill",
                 "she mixes flour and eggs in a bowl and puts the pan in the oven"]
    static = (model.encode(names) @ model.encode(sentences).T).argmax(0)
    reference = (minilm.encode(names) @ minilm.encode(sentences).T).argmax(0)
    np.testing.assert_array_equal(static, reference)
    np.testing.assert_array_equal(reference, np.arange(5))  # and both are right


def test_piece_counts_times_the_table_is_what_encode_normalizes(model):
    counts = model.piece_counts(TEXTS, chunk_rows=4)
    assert counts.shape == (len(TEXTS), model.table.shape[0])
    sums = np.asarray(counts @ model.table)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    np.testing.assert_allclose(sums / norms, model.encode(TEXTS), atol=1e-5)
    ids = model.tokenizer.encode(TEXTS[0], add_special_tokens=False).ids
    assert counts[0].toarray().ravel()[ids].sum() == len(ids)
