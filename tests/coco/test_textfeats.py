"""Frozen text features: one encoder shared with actionhub, the cache, and class_texts fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actionhub.assets import DEFAULT_ENCODER as DEFAULT
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


def test_class_texts_use_actionhubs_encoder_features():
    """One encoder: coco's class-text features are actionhub's sentence embeddings of the same texts."""
    from actionhub.encoder import Encoder, MissingExportError
    from coco.textfeats import encoder_identity, load_encoder

    try:
        reference = Encoder.load()
    except MissingExportError:
        pytest.skip("ONNX export not made (python tools/export_encoder.py)")
    names = ["riding a horse", "juggling balls"]
    texts = class_texts(names, {}, {"juggling balls": ["A man juggles three balls.", "Juggling in a park."]})
    expected = reference.encode(names + ["A man juggles three balls.", "Juggling in a park."])
    np.testing.assert_allclose(texts.definition.numpy(), expected[:2], atol=1e-6)
    np.testing.assert_allclose(texts.content[1].numpy(), expected[2:].mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(texts.content[0].numpy(), expected[0], atol=1e-6)  # no descriptions: definition
    assert load_encoder().identity == reference.identity == encoder_identity()
    assert load_encoder(f"{DEFAULT}:int8").identity != reference.identity
