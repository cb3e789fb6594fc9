"""Frozen text features: mean pooling against transformers by hand, the cache, and class_texts fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coco.textfeats import class_texts, encode_cached


class CountingEncoder:
    """A deterministic fake encoder: feature = (len, number of vowels, 1); records every text it encodes."""

    identity = "counting-v1"

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.array([[len(t), sum(c in "aeiou" for c in t), 1.0] for t in texts], dtype=np.float32)


def test_cache_encodes_only_missing_texts(tmp_path):
    enc = CountingEncoder()
    first = encode_cached(["run", "jump", "run"], enc, tmp_path)
    np.testing.assert_array_equal(first, [[3, 1, 1], [4, 1, 1], [3, 1, 1]])
    assert enc.calls == [["run", "jump"]]
    again = encode_cached(["jump", "swim", "run"], CountingEncoder(), tmp_path)  # a fresh object, same identity
    np.testing.assert_array_equal(again, [[4, 1, 1], [4, 1, 1], [3, 1, 1]])
    second = CountingEncoder()
    encode_cached(["jump", "swim", "run", "dive"], second, tmp_path)
    assert second.calls == [["dive"]]


def test_cache_is_keyed_by_encoder_identity(tmp_path):
    encode_cached(["run"], CountingEncoder(), tmp_path)
    other = CountingEncoder()
    other.identity = "counting-v2"
    encode_cached(["run"], other, tmp_path)
    assert other.calls == [["run"]]


def test_class_texts_means_and_fallbacks(tmp_path, caplog):
    enc = CountingEncoder()
    texts = class_texts(["ride", "swim"], {"ride": "sit on a horse"}, {"ride": ["abc", "abcde", "zzz"]}, enc,
                        tmp_path, k=2)
    assert texts.names == ("ride", "swim")
    # Definitions: "sit on a horse" (14 chars, 5 vowels); "swim" has none, so its name (4, 1).
    torch.testing.assert_close(texts.definition, torch.tensor([[14.0, 5, 1], [4, 1, 1]]))
    # Content of "ride": mean of its first k=2 descriptions (3, 1) and (5, 2); "swim": its definition feature.
    torch.testing.assert_close(texts.content, torch.tensor([[4.0, 1.5, 1], [4, 1, 1]]))
    assert "1 of 2 classes have no descriptions" in caplog.text


def test_mean_pooling_equals_hand_computation_over_transformers_output():
    pytest.importorskip("transformers")
    from transformers import AutoModel, AutoTokenizer

    from actionhub.assets import MissingAssetError
    from coco.textfeats import TextEncoder

    try:
        encoder = TextEncoder(device="cpu")  # both texts in one padded batch: the mask matters
    except MissingAssetError:
        pytest.skip("bundled encoder not installed")
    texts = ["a person rides a horse", "juggling"]
    got = encoder.encode(texts)
    tokenizer = AutoTokenizer.from_pretrained(encoder.path)
    model = AutoModel.from_pretrained(encoder.path).eval()
    for text, row in zip(texts, got, strict=True):
        with torch.no_grad():
            hidden = model(**tokenizer(text, return_tensors="pt")).last_hidden_state[0]  # (L, T), no padding
        expected = hidden.sum(0) / hidden.shape[0]
        np.testing.assert_allclose(row, expected.numpy(), rtol=1e-4, atol=1e-5)
    cls = TextEncoder(device="cpu", pooling="cls").encode(texts)
    assert cls.shape == got.shape and not np.allclose(cls, got)
