"""``bit8``: BiT-M R50x1 (timm ``resnetv2_50x1_bit.goog_in21k``), per-frame 2048-d features averaged over frames.

Kolesnikov et al. Big Transfer (BiT): General Visual Representation Learning. ECCV 2020. The hub weights are timm's
conversion of the ImageNet-21k BiT-M checkpoint (``model.safetensors`` at huggingface.co/timm/<name>); a local
copy of that file (or a torch state dict with the same keys) loads the same way. The 21k-class head is dropped.
"""

from __future__ import annotations

import torch
from torch import nn

from coco.video.backbones import file_identity
from coco.video.backbones.torchbase import (
    FrameMeanBackbone,
    check_device,
    hf_hub_file,
    library_versions,
    load_weights,
    random_identity,
    read_state_dict,
    seeded,
    strip_prefix,
    weights_source,
)
from coco.video.presets import Preset

ARCH = "resnetv2_50x1_bit"
HUB_FILE = "model.safetensors"
HINT = ("bit8 needs weights: pass --weights FILE (timm resnetv2_50x1_bit.goog_in21k model.safetensors from "
        "huggingface.co/timm/resnetv2_50x1_bit.goog_in21k, .safetensors or .pth) or run with internet; "
        "--random-init for plumbing tests")


def bit_r50x1() -> nn.Module:
    """timm's BiT R50x1 without classifier: (N, 3, S, S) -> (N, 2048) globally average-pooled."""
    import timm

    return timm.create_model(ARCH, pretrained=False, num_classes=0)


def without_head(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drops the classifier (``head.fc.*``, 21843 classes in the 21k checkpoint) and a ``module.`` prefix."""
    return {k: v for k, v in strip_prefix(state, "module.").items() if not k.startswith("head.fc.")}


class BiT(FrameMeanBackbone):
    """``bit8``: each frame through BiT R50x1; the mean of the frames' 2048-d features."""


def build(preset: Preset, weights: str | None, random_init: bool, device: str) -> BiT:
    """The ``bit8`` backbone (see :func:`coco.video.backbones.load_backbone`)."""
    check_device(device)
    kind, where = weights_source(preset, weights, random_init, HINT)
    if kind == "random-init":
        path, identity = None, random_identity()
    elif kind == "hub":  # the preset's default "timm/resnetv2_50x1_bit.goog_in21k" is the hub repository
        path, identity = hf_hub_file(where, HUB_FILE, preset.name, HINT)
    else:
        path, identity = where, file_identity(where)
    with seeded():
        net = bit_r50x1()
    if path is not None:
        load_weights(net, without_head(read_state_dict(path)), where, preset.name)
    return BiT(preset, net, identity, device, library_versions("torchvision", "timm"))
