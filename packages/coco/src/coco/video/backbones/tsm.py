"""``tsm8``: ResNet-50 with the temporal shift module, loading the released TSM Kinetics checkpoints.

Lin, Gan, Han. TSM: Temporal Shift Module for Efficient Video Understanding. ICCV 2019;
github.com/mit-han-lab/temporal-shift-module. The released checkpoints (``TSM_kinetics_RGB_resnet50_shift8_blockres_
avg_segment8_e50.pth``) are ``{"epoch", "arch", "state_dict", ...}`` saved from ``nn.DataParallel(TSN(...))``:
keys ``module.base_model.<torchvision resnet50 name>``, with each Bottleneck's ``conv1`` wrapped in a
``TemporalShift`` (``layerI.J.conv1.net.weight``; shift place ``blockres``, fold div 8) and the classifier in
``module.new_fc`` (``base_model.fc`` is a Dropout). This module keeps torchvision's names and maps the keys.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from coco.video.backbones import file_identity
from coco.video.backbones.torchbase import (
    FrameMeanBackbone,
    check_device,
    library_versions,
    load_weights,
    random_identity,
    read_state_dict,
    seeded,
    strip_prefix,
    weights_source,
)
from coco.video.presets import Preset

FOLD_DIV = 8  # 1/8 of the channels shifted each way ("shift8" in the release names)
HINT = ("tsm8 needs weights: pass --weights FILE (TSM_kinetics_RGB_resnet50_shift8_blockres_avg_segment8_e50.pth, "
        "linked from github.com/mit-han-lab/temporal-shift-module); --random-init for plumbing tests")


def temporal_shift(x: torch.Tensor, segments: int, fold_div: int = FOLD_DIV) -> torch.Tensor:
    """TSM's bidirectional shift along time, zero-padded at both ends.

    Of C channels, the first C // fold_div take the next segment's values (shifted back in time), the next
    C // fold_div take the previous segment's (shifted forward), the rest stay.

    Args:
        x: (B * T, C, H, W), T = ``segments`` consecutive frames of each video.
        segments: T.
        fold_div: Inverse of the fraction of channels shifted each way.

    Returns:
        (B * T, C, H, W) shifted copy.
    """
    nt, c, h, w = x.shape
    v = x.view(nt // segments, segments, c, h, w)
    fold = c // fold_div
    out = torch.zeros_like(v)
    out[:, :-1, :fold] = v[:, 1:, :fold]
    out[:, 1:, fold:2 * fold] = v[:, :-1, fold:2 * fold]
    out[:, :, 2 * fold:] = v[:, :, 2 * fold:]
    return out.view(nt, c, h, w)


class ShiftConv2d(nn.Conv2d):
    """A Bottleneck's first convolution with the temporal shift applied to its input (TSM's ``blockres`` place:
    the residual branch is shifted, the identity path is not). Parameter names stay ``weight``/``bias``."""

    def __init__(self, conv: nn.Conv2d, segments: int) -> None:
        super().__init__(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                         conv.dilation, conv.groups, conv.bias is not None)
        self.weight = conv.weight
        self.bias = conv.bias
        self.segments = segments

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(temporal_shift(x, self.segments))


def tsm_resnet50(segments: int) -> nn.Module:
    """torchvision ResNet-50 with the shift in every Bottleneck and ``fc`` removed: (B*T, 3, S, S) -> (B*T, 2048)."""
    from torchvision.models import resnet50

    net = resnet50(weights=None)
    net.fc = nn.Identity()
    for stage in (net.layer1, net.layer2, net.layer3, net.layer4):
        for block in stage:
            block.conv1 = ShiftConv2d(block.conv1, segments)
    return net


def map_release_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """TSM release keys -> :func:`tsm_resnet50` keys.

    ``module.base_model.layer1.0.conv1.net.weight`` -> ``layer1.0.conv1.weight``; the classifier (``new_fc.*``,
    or ``base_model.fc.*`` of dropout-free runs) is dropped.
    """
    state = strip_prefix(state, "module.")
    mapped = {}
    for key, value in state.items():
        if key.startswith(("new_fc.", "base_model.fc.")):
            continue
        key = key.removeprefix("base_model.")
        mapped[re.sub(r"\.conv1\.net\.", ".conv1.", key)] = value
    return mapped


class TSM(FrameMeanBackbone):
    """``tsm8``: 8 segments through the shifted ResNet-50; 2048-d pooled features averaged over segments."""


def build(preset: Preset, weights: str | None, random_init: bool, device: str) -> TSM:
    """The ``tsm8`` backbone (see :func:`coco.video.backbones.load_backbone`)."""
    check_device(device)
    kind, where = weights_source(preset, weights, random_init, HINT)  # no hub name for TSM: a file or random
    with seeded():
        net = tsm_resnet50(preset.sampling.frames)
    if kind == "random-init":
        identity = random_identity()
    else:
        identity = file_identity(where)
        load_weights(net, map_release_keys(read_state_dict(where)), where, preset.name)
    return TSM(preset, net, identity, device, library_versions("torchvision"))
