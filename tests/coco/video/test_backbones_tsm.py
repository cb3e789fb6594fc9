"""tsm8: the temporal shift against a loop reference, and loading a checkpoint in the TSM release layout.

The release layout is written out here from the TSM repository's code (ops/models.py, ops/temporal_shift.py,
main.py): ``nn.DataParallel(TSN)`` saved as ``{"epoch", "arch", "state_dict", "optimizer", "best_prec1"}``, the
ResNet-50 under ``module.base_model.``, each Bottleneck's ``conv1`` wrapped as ``conv1.net``, the classifier in
``module.new_fc``. Values are SYNTHETIC (random).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
import torch

from coco.video.backbones import WeightsError
from coco.video.backbones.torchbase import load_weights
from coco.video.backbones.tsm import build, map_release_keys, temporal_shift, tsm_resnet50
from coco.video.presets import PRESETS

SMALL = replace(PRESETS["tsm8"], short_side=32, crop=32)  # SYNTHETIC cheap recipe: same network, 32 px


def test_shift_matches_a_loop_reference():
    b, t, c = 2, 8, 16  # fold = 16 // 8 = 2 channels each way
    x = torch.randn(b * t, c, 3, 3)
    out = temporal_shift(x, t, fold_div=8).view(b, t, c, 3, 3)
    v = x.view(b, t, c, 3, 3)
    zero = torch.zeros(3, 3)
    for i in range(b):
        for j in range(t):
            for k in range(c):
                if k < 2:  # from the next frame (back in time); the last frame gets zeros
                    expected = v[i, j + 1, k] if j + 1 < t else zero
                elif k < 4:  # from the previous frame (forward in time); the first frame gets zeros
                    expected = v[i, j - 1, k] if j > 0 else zero
                else:
                    expected = v[i, j, k]
                assert torch.equal(out[i, j, k], expected), (i, j, k)


def release_checkpoint(seed: int = 1) -> dict:
    """A SYNTHETIC checkpoint in the TSM release layout (random values; no num_batches_tracked, as older torch)."""
    from torchvision.models import resnet50

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = resnet50(weights=None)
    state = {}
    for key, value in net.state_dict().items():
        if key.startswith("fc.") or key.endswith("num_batches_tracked"):
            continue
        if key.endswith("running_var"):
            value = torch.rand_like(value) + 0.5
        elif key.endswith("running_mean"):
            value = torch.randn_like(value)
        key = re.sub(r"^(layer\d\.\d+)\.conv1\.", r"\1.conv1.net.", key)
        state["module.base_model." + key] = value
    state["module.new_fc.weight"] = torch.randn(400, 2048)
    state["module.new_fc.bias"] = torch.randn(400)
    optimizer = {"state": {0: {"momentum_buffer": torch.zeros(3)}},
                 "param_groups": [{"lr": 0.01, "momentum": 0.9, "weight_decay": 5e-4, "params": [0]}]}
    return {"epoch": 50, "arch": "resnet50", "state_dict": state, "optimizer": optimizer, "best_prec1": 71.2}


def test_a_release_shaped_checkpoint_loads_with_every_weight_in_place(tmp_path):
    checkpoint = release_checkpoint()
    saved = checkpoint["state_dict"]
    path = tmp_path / "TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50.pth"
    torch.save(checkpoint, path, _use_new_zipfile_serialization=False)  # torch < 1.6 format, as the 2019 release
    backbone = build(SMALL, str(path), False, "cpu")
    net = backbone.model
    assert torch.equal(net.layer1[0].conv1.weight, saved["module.base_model.layer1.0.conv1.net.weight"])
    assert torch.equal(net.layer4[2].conv1.weight, saved["module.base_model.layer4.2.conv1.net.weight"])
    assert torch.equal(net.layer3[5].conv3.weight, saved["module.base_model.layer3.5.conv3.weight"])
    assert torch.equal(net.layer2[0].downsample[1].running_var,
                       saved["module.base_model.layer2.0.downsample.1.running_var"])
    assert torch.equal(net.conv1.weight, saved["module.base_model.conv1.weight"])
    assert backbone.weights["kind"] == "file"
    frames = np.random.default_rng(0).integers(0, 256, (1, 8, 32, 32, 3), dtype=np.uint8)
    assert np.isfinite(backbone.embed(frames)).all()


def test_a_checkpoint_of_another_variant_is_a_one_line_error():
    state = release_checkpoint()["state_dict"]
    state["module.base_model.layer2.0.nl.g.weight"] = torch.zeros(1)  # the non-local variant's extra blocks
    del state["module.base_model.layer1.0.bn1.weight"]
    with pytest.raises(WeightsError, match="1 missing .* 1 unexpected") as error:
        load_weights(tsm_resnet50(8), map_release_keys(state), "nl.pth", "tsm8")
    assert "\n" not in str(error.value)


def test_the_shift_makes_features_depend_on_frame_order():
    # Without the shift, a mean over per-frame features could not tell a video from its reverse.
    backbone = build(SMALL, None, True, "cpu")
    frames = np.random.default_rng(0).integers(0, 256, (1, 8, 32, 32, 3), dtype=np.uint8)
    forward, backward = backbone.embed(frames), backbone.embed(frames[:, ::-1].copy())
    assert np.abs(forward - backward).max() > 1e-3 * np.abs(forward).max()
