"""The torch backbones (tsm8, bit8, r21d16, clip8) against the Backbone contract, on CPU with random weights.

All frames are SYNTHETIC (seeded uniform noise). Most checks run on a SMALL variant of each recipe (same network
and weights, fewer pixels or frames) to keep CPU cost low; the contract-shape test runs the real recipes.
"""

from __future__ import annotations

import hashlib
import importlib
import urllib.error
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import torch

from coco.video.backbones import WeightsError, load_backbone
from coco.video.presets import PRESETS, Preset, Sampling

TORCH_PRESETS = ("tsm8", "bit8", "r21d16", "clip8")
SLOW = {"r21d16", "clip8"}  # tens of seconds per real-size batch on one CPU thread


def small(name: str) -> Preset:
    """A SYNTHETIC cheap variant of a recipe: the same network and weights on fewer pixels or frames."""
    preset = PRESETS[name]
    if name == "clip8":  # ViT-B/16 position embeddings fix 224 px: fewer frames instead
        return replace(preset, sampling=Sampling("uniform", 1))
    if name == "r21d16":  # two clips, to exercise clip averaging
        return replace(preset, sampling=Sampling("clips", 16, clips=2), short_side=32, crop=32)
    return replace(preset, short_side=32, crop=32)  # tsm8 keeps its 8 segments


def synthetic_frames(preset: Preset, videos: int, seed: int = 0) -> np.ndarray:
    """(B, T, S, S, 3) uint8 SYNTHETIC noise frames of the contract's shape."""
    t, s = preset.sampling.count, preset.crop
    return np.random.default_rng(seed).integers(0, 256, (videos, t, s, s, 3), dtype=np.uint8)


def builder(preset: Preset):
    module, func = preset.builder.split(":")
    return getattr(importlib.import_module(module), func)


def save_weights(name: str, model: torch.nn.Module, folder: Path) -> Path:
    """The model's weights as its users' files look: a timm safetensors with its (here 5-class) head, a torchvision
    file with its Kinetics classifier, a full-CLIP open_clip safetensors, a bare state dict for TSM."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    if name == "bit8":
        from safetensors.torch import save_file

        path = folder / "model.safetensors"
        save_file({**state, "head.fc.weight": torch.ones(5, 2048, 1, 1), "head.fc.bias": torch.ones(5)}, str(path))
        return path
    if name == "r21d16":
        path = folder / "r2plus1d_18-91a641e6.pth"
        torch.save({**state, "fc.weight": torch.ones(400, 512), "fc.bias": torch.ones(400)}, path)
    elif name == "clip8":
        from safetensors.torch import save_file

        path = folder / "open_clip_model.safetensors"
        full = {**{f"visual.{k}": v for k, v in state.items()}, "logit_scale": torch.tensor(4.6),
                "token_embedding.weight": torch.ones(3, 512)}
        save_file(full, str(path))
    else:
        path = folder / "tsm.pth"
        torch.save(state, path)
    return path


@dataclass
class Run:
    """One small-recipe backbone with random weights, its outputs on SYNTHETIC frames, and its weights file."""

    preset: Preset
    backbone: object
    frames: np.ndarray  # (2, T, S, S, 3)
    batch: np.ndarray  # (2, D): both videos in one call
    alone: np.ndarray  # (1, D): video 0 alone
    weights_file: Path


@pytest.fixture(scope="module", params=TORCH_PRESETS)
def run(request, tmp_path_factory) -> Run:
    preset = small(request.param)
    backbone = builder(preset)(preset, None, True, "cpu")
    frames = synthetic_frames(preset, 2)
    path = save_weights(request.param, backbone.model, tmp_path_factory.mktemp(request.param))
    return Run(preset, backbone, frames, backbone.embed(frames), backbone.embed(frames[:1]), path)


@pytest.fixture
def offline(monkeypatch, tmp_path) -> Path:
    """No hub reachable and empty caches: Hugging Face offline mode, torch.hub downloads failing."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))

    def no_network(*args, **kwargs):
        raise urllib.error.URLError("no network (test)")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    return tmp_path


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in TORCH_PRESETS])
def test_real_recipe_maps_a_batch_to_finite_float32_features(name):
    preset = PRESETS[name]
    backbone = load_backbone(name, random_init=True)
    features = backbone.embed(synthetic_frames(preset, 2))
    assert features.shape == (2, preset.dim)
    assert features.dtype == np.float32
    assert np.isfinite(features).all()
    assert backbone.preset is preset and backbone.device == "cpu"


def test_a_video_gets_the_same_features_alone_or_in_a_batch(run):
    scale = np.abs(run.batch).max()
    np.testing.assert_allclose(run.batch[:1], run.alone, rtol=1e-4, atol=1e-5 * scale)
    assert not np.allclose(run.batch[0], run.batch[1])  # the two SYNTHETIC videos differ


def test_weights_file_round_trip(run):
    loaded = builder(run.preset)(run.preset, str(run.weights_file), False, "cpu")
    expected_sha = hashlib.sha256(run.weights_file.read_bytes()).hexdigest()
    assert loaded.weights == {"kind": "file", "path": str(run.weights_file), "sha256": expected_sha}
    np.testing.assert_array_equal(loaded.embed(run.frames[:1]), run.alone)
    assert loaded.pretrained_on == run.preset.pretrained_on


def test_a_batch_split_into_passes_of_one_video_gives_the_same_features(run, monkeypatch):
    monkeypatch.setattr(run.backbone, "frames_per_pass", 1)
    scale = np.abs(run.batch).max()
    np.testing.assert_allclose(run.backbone.embed(run.frames), run.batch, rtol=1e-4, atol=1e-5 * scale)


def test_random_init_is_seeded_and_stamped(run):
    again = builder(run.preset)(run.preset, None, True, "cpu")
    assert again.weights == {"kind": "random-init", "seed": 0}
    first, second = run.backbone.model.state_dict(), again.model.state_dict()
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_embed_checks_the_contract_shape_and_dtype(run):
    with pytest.raises(ValueError, match="expected"):
        run.backbone.embed(run.frames[:, :-1])
    with pytest.raises(ValueError, match="uint8"):
        run.backbone.embed(run.frames.astype(np.float32))
    assert run.backbone.embed(run.frames[:0]).shape == (0, run.preset.dim)


def test_recipe_records_compute_dtype_and_library_versions(run):
    recipe = run.backbone.recipe()
    assert recipe["compute_dtype"] == "float32"
    assert recipe["libraries"]["torch"] == torch.__version__.split("+")[0]
    assert recipe["pretrained_on"] == "nothing: random initialisation"


@pytest.mark.parametrize("name", TORCH_PRESETS)
def test_a_missing_weights_file_is_a_one_line_error(name, tmp_path):
    with pytest.raises(WeightsError) as error:
        load_backbone(name, weights=str(tmp_path / "absent.pth"))
    message = str(error.value)
    assert "\n" not in message and "absent.pth" in message and "--random-init" in message


@pytest.mark.parametrize("name", TORCH_PRESETS)
def test_no_weights_and_no_hub_is_a_one_line_error_saying_where_to_get_them(name, offline):
    with pytest.raises(WeightsError) as error:
        load_backbone(name)
    message = str(error.value)
    assert "\n" not in message and "--weights FILE" in message and "--random-init" in message


def test_weights_and_random_init_exclude_each_other(tmp_path):
    path = tmp_path / "w.pth"
    path.write_bytes(b"")
    with pytest.raises(WeightsError, match="exclude"):
        load_backbone("bit8", weights=str(path), random_init=True)


def test_an_unreadable_weights_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.pth"
    path.write_bytes(b"not a torch file")
    with pytest.raises(WeightsError, match="cannot read weights") as error:
        load_backbone("bit8", weights=str(path))
    assert "\n" not in str(error.value)


def test_a_gpu_that_is_not_there_is_a_one_line_error():
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        load_backbone("tsm8", random_init=True, device="cuda")


def _hf_cache(offline: Path, repo: str, filename: str, target: Path, commit: str) -> None:
    """A Hugging Face hub cache holding ``target`` as ``repo``'s ``filename`` at revision ``commit``."""
    root = offline / "hf" / ("models--" + repo.replace("/", "--"))
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(commit)
    (root / "snapshots" / commit).mkdir(parents=True)
    (root / "snapshots" / commit / filename).symlink_to(target)


def test_default_hub_weights_load_from_the_local_cache_offline(run, offline):
    name = run.preset.name
    if name == "tsm8":
        pytest.skip("tsm8 has no hub weights")
    commit = "0123456789abcdef0123456789abcdef01234567"
    if name == "bit8":
        _hf_cache(offline, "timm/resnetv2_50x1_bit.goog_in21k", "model.safetensors", run.weights_file, commit)
        revision = commit
    elif name == "clip8":
        _hf_cache(offline, "timm/vit_base_patch16_clip_224.openai", "open_clip_model.safetensors", run.weights_file,
                  commit)
        revision = commit
    else:
        cached = offline / "torch" / "hub" / "checkpoints" / run.weights_file.name
        cached.parent.mkdir(parents=True)
        cached.symlink_to(run.weights_file)
        revision = run.weights_file.name
    loaded = builder(run.preset)(run.preset, None, False, "cpu")
    assert loaded.weights["kind"] == "hub"
    assert loaded.weights["name"] == run.preset.default_weights
    assert loaded.weights["revision"] == revision
    assert loaded.weights["sha256"] == hashlib.sha256(run.weights_file.read_bytes()).hexdigest()
    np.testing.assert_array_equal(loaded.embed(run.frames[:1]), run.alone)


def test_an_unresolvable_hub_fails_at_once_without_download_retries(monkeypatch, tmp_path):
    """Not cached, hub name does not resolve (no network): one WeightsError, and no download is attempted."""
    import socket

    import huggingface_hub

    from coco.video.backbones import torchbase

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    tried: list[str] = []

    def unresolvable(host, *args, **kwargs):
        tried.append(host)
        raise socket.gaierror("Name or service not known")

    real_download = huggingface_hub.hf_hub_download

    def download(*args, **kwargs):
        if not kwargs.get("local_files_only"):
            raise AssertionError("downloaded although the hub cannot be reached")
        return real_download(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    with pytest.raises(WeightsError, match="cannot be reached; HINT"):
        torchbase.hf_hub_file("org/repo", "model.safetensors", "x", "HINT")
    assert tried == [urlparse(huggingface_hub.constants.ENDPOINT).hostname]
