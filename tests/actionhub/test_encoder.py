"""The onnxruntime sentence encoder against an independent transformers forward pass of the same checkpoint."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from actionhub.encoder import Encoder, EncoderConfig, MissingExportError, export_dir

ROOT = Path(__file__).resolve().parents[2]
# Real class names (ActivityNet, Kinetics) and ActivityNet-style caption sentences written for this test.
SENTENCES = [
    "Playing drums", "Brushing teeth", "Beach soccer", "Using the balance beam", "Ballet", "abseiling",
    "A man is seen speaking to the camera and leads into him playing a set of drums.",
    "The woman then begins brushing her teeth while looking into the mirror and smiling.",
    "Two teams are playing beach volleyball on the sand while a crowd watches from the side.",
    "A gymnast mounts the beam, performs a series of flips and lands at the end.",
    "Ünïcode façade — naïve café",
]


def _captions(n: int = 40) -> list[str]:
    """Up to n real ActivityNet Captions sentences when ../shared (or $ACTIONHUB_SHARED) is there."""
    shared = Path(os.environ.get("ACTIONHUB_SHARED") or ROOT.parent / "shared")
    path = shared / "reference" / "captions" / "activitynet_captions" / "val_1.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    return [s.strip() for video in list(data.values())[:n // 3] for s in video["sentences"]][:n]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory) -> str:
    """The default export when `make setup` made it, else a fresh one made by the project's tool."""
    from actionhub.assets import resolve_encoder

    default = export_dir(resolve_encoder())
    if (default / "identity.json").is_file():
        return str(default)
    pytest.importorskip("torch")
    spec = importlib.util.spec_from_file_location("export_encoder", ROOT / "tools" / "export_encoder.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path_factory.mktemp("onnx")
    tool.export(resolve_encoder(), out)
    return str(out)


def _reference(texts: list[str]) -> np.ndarray:
    """transformers forward, mean pooling over the attention mask, L2 norm (sentence-transformers' recipe)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from actionhub.assets import resolve_encoder

    path = str(resolve_encoder())
    tok = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).eval()
    batch = tok(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state  # (B, T, H)
    mask = batch["attention_mask"][..., None].float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()


def test_fp32_matches_transformers_on_real_sentences(onnx_dir):
    texts = SENTENCES + _captions() + ["word " * 400]  # the last one is truncated at 256 tokens
    expected = _reference(texts)
    got = Encoder.load(EncoderConfig(onnx_dir=onnx_dir)).encode(texts, batch_size=5)  # batches of mixed lengths
    assert got.shape == expected.shape and got.dtype == np.float32
    cosine = (got * expected).sum(axis=1)
    assert cosine.min() >= 0.9999
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_int8_is_close_to_fp32_and_keeps_order(onnx_dir):
    fp32 = Encoder.load(EncoderConfig(onnx_dir=onnx_dir)).encode(SENTENCES)
    int8 = Encoder.load(EncoderConfig(onnx_dir=onnx_dir, precision="int8")).encode(SENTENCES)
    assert (fp32 * int8).sum(axis=1).min() > 0.9
    # Each class name's nearest sentence is the same under both precisions.
    names, sentences = slice(0, 4), slice(6, 10)
    assert ((fp32[names] @ fp32[sentences].T).argmax(1) == (int8[names] @ int8[sentences].T).argmax(1)).all()


def test_order_and_batch_size_do_not_change_embeddings(onnx_dir):
    encoder = Encoder.load(EncoderConfig(onnx_dir=onnx_dir))
    whole = encoder.encode(SENTENCES, batch_size=64)
    reversed_small = encoder.encode(SENTENCES[::-1], batch_size=2)[::-1]
    np.testing.assert_allclose(reversed_small, whole, atol=1e-5)
    assert encoder.encode([]).shape[0] == 0


def test_an_int8_embedding_does_not_depend_on_the_other_texts_encoded_with_it(onnx_dir):
    # Dynamic quantization scales activations per tensor: batched, a text's embedding would move with its batch.
    encoder = Encoder.load(EncoderConfig(onnx_dir=onnx_dir, precision="int8", threads=2))
    assert (encoder.batch_size, encoder.workers) == (1, 2)  # one text per pass, two passes at once
    together = encoder.encode(SENTENCES)
    alone = np.concatenate([encoder.encode([text]) for text in SENTENCES])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    batched = encoder.encode(SENTENCES, batch_size=64)  # an explicit batch size is honoured, and shows the effect
    assert np.abs(batched - alone).max() > 1e-4


def test_missing_export_names_the_command(tmp_path):
    with pytest.raises(MissingExportError, match="tools/export_encoder.py"):
        Encoder.load(EncoderConfig(onnx_dir=str(tmp_path)))


def test_export_dir_follows_the_model_bytes(tmp_path, monkeypatch):
    monkeypatch.setitem(os.environ, "XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    first = export_dir(tmp_path / "m")
    assert first.parent == tmp_path / "cache" / "actionhub" / "onnx"
    (tmp_path / "m" / "config.json").write_text('{"x": 1}')
    assert export_dir(tmp_path / "m") != first


@pytest.mark.parametrize("bad", [{"precision": "fp16"}, {"batch_size": -1}, {"threads": -1}])
def test_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        EncoderConfig(**bad)
