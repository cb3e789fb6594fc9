"""coco's encoder resolution: bundled default, aliases, local paths, and the offline failure message."""

from __future__ import annotations

import json

import pytest

from coco import assets


def test_default_encoder_is_the_bundled_bert():
    config = json.loads((assets.resolve_encoder() / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]


def test_alias_and_local_path(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    assert assets.resolve_encoder("all-MiniLM-L6-v2") == assets.resolve_encoder()
    assert assets.resolve_encoder(str(tmp_path)) == tmp_path


def test_unknown_model_offline_fails_with_the_name(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(assets.MissingAssetError, match="bert-base-nonexistent-xyz"):
        assets.resolve_encoder("bert-base-nonexistent-xyz")
