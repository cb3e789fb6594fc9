"""Asset resolution against the real bundled assets and against deliberately missing ones."""

from __future__ import annotations

import json

import numpy as np
import pytest

from actionhub import assets


def test_default_encoder_is_a_bert_model_directory():
    path = assets.resolve_encoder()
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "bert" and config["hidden_size"] == 384
    assert (path / "model.safetensors").is_file()


def test_hub_alias_resolves_to_bundled_encoder_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert assets.resolve_encoder("sentence-transformers/all-MiniLM-L6-v2") == assets.resolve_encoder()


def test_local_encoder_directory_is_taken_as_is(tmp_path):
    assert assets.resolve_encoder(str(tmp_path)) == tmp_path


def test_unknown_encoder_offline_names_the_asset(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(assets.MissingAssetError, match="no-such-org/no-such-model"):
        assets.resolve_encoder("no-such-org/no-such-model")


def test_bundled_glove_vectors_have_expected_geometry():
    kv = assets.load_vectors()
    assert kv.vector_size == 50 and len(kv.index_to_key) == 400_000
    # GloVe puts sports nearer each other than to unrelated nouns.
    assert kv.similarity("tennis", "badminton") > kv.similarity("tennis", "carpet")


def test_word2vec_text_and_glove_text_files_load(tmp_path):
    vecs = {"run": [1.0, 0.0, 0.5], "jump": [0.0, 2.0, 0.0]}
    body = "".join(f"{w} {' '.join(map(str, v))}\n" for w, v in vecs.items())
    (tmp_path / "w2v.txt").write_text(f"{len(vecs)} 3\n{body}")
    (tmp_path / "glove.txt").write_text(body)
    for name in ("w2v.txt", "glove.txt"):
        kv = assets.load_vectors(str(tmp_path / name))
        np.testing.assert_allclose(kv["jump"], vecs["jump"])


def test_missing_vectors_offline_names_the_asset(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(assets.MissingAssetError, match="word2vec-google-news-300"):
        assets.load_vectors("word2vec-google-news-300")


@pytest.mark.parametrize("corpus", ["wordnet", "stopwords"])
def test_nltk_corpora_installed(corpus):
    assert assets.nltk_resource(corpus).is_dir()


def test_missing_nltk_corpus_message_gives_the_command(monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", [])
    with pytest.raises(assets.MissingAssetError, match="make setup"):
        assets.nltk_resource("wordnet")


def test_wordnet_lemmatizes_offline():
    from nltk.stem import WordNetLemmatizer

    assert WordNetLemmatizer().lemmatize("swimming", "v") == "swim"
