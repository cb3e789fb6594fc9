"""``r21d16``: torchvision R(2+1)D-18, clips of 16 consecutive frames, 512-d clip features averaged over the video.

Tran et al. A Closer Look at Spatiotemporal Convolutions for Action Recognition. CVPR 2018, as used by Brattoli et
al. (E2E, CVPR 2020). Weights: a local torchvision state dict, or ``torchvision:R2Plus1D_18_Weights.KINETICS400_V1``
(downloaded by torch.hub into ``$TORCH_HOME/hub/checkpoints``, read from there when already cached).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from coco.video.backbones import WeightsError, file_identity
from coco.video.backbones.torchbase import (
    TorchBackbone,
    check_device,
    library_versions,
    load_weights,
    one_line,
    random_identity,
    read_state_dict,
    seeded,
    strip_prefix,
    weights_source,
)
from coco.video.presets import Preset

HUB_PREFIX = "torchvision:"
HINT = ("r21d16 needs weights: pass --weights FILE (torchvision r2plus1d_18-91a641e6.pth from "
        "download.pytorch.org/models/, or put it in $TORCH_HOME/hub/checkpoints) or run with internet; "
        "--random-init for plumbing tests")


def r2plus1d_18() -> nn.Module:
    """torchvision R(2+1)D-18 without classifier: (N, 3, 16, S, S) -> (N, 512)."""
    from torchvision.models.video import r2plus1d_18 as make

    net = make(weights=None)
    net.fc = nn.Identity()
    return net


def torchvision_file(name: str, preset_name: str) -> tuple[str, dict]:
    """The cached (else downloaded) file of torchvision weights ``torchvision:<Enum>.<member>``.

    Returns:
        (local path, identity ``{"kind": "hub", "name", "revision": file name with hash prefix, "sha256"}``).

    Raises:
        WeightsError: Unknown weights name, or not cached and not downloadable (offline).
    """
    from torchvision.models import get_weight

    try:
        url = get_weight(name.removeprefix(HUB_PREFIX)).url
    except (ValueError, KeyError, AttributeError) as e:
        raise WeightsError(f"{preset_name}: unknown torchvision weights {name}: {one_line(e)}") from e
    path = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        match = torch.hub.HASH_REGEX.search(path.name)  # "r2plus1d_18-91a641e6.pth": sha256 prefix 91a641e6
        try:  # writes a temporary file and renames it, checking the hash prefix: nothing half-written stays
            torch.hub.download_url_to_file(url, str(path), match.group(1) if match else None, progress=False)
        except Exception as e:  # offline, HTTP error, hash mismatch: the user's remedy is the same
            raise WeightsError(f"{preset_name}: cannot fetch {url} ({type(e).__name__}); {HINT}") from e
    return str(path), {"kind": "hub", "name": name, "revision": path.name, "sha256": file_identity(path)["sha256"]}


class R21D(TorchBackbone):
    """``r21d16``: T = 16 * clips frames per video, each clip through R(2+1)D-18; the mean of the clip features."""

    memory_format = torch.channels_last_3d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c, s = x.shape[0], x.shape[1], x.shape[2], x.shape[-1]
        frames = self.preset.sampling.frames
        clips = x.reshape(b * (t // frames), frames, c, s, s).transpose(1, 2)  # (B*clips, 3, 16, S, S)
        per_clip = self.model(self.layout(clips))  # (B*clips, 512)
        return per_clip.view(b, t // frames, -1).mean(1)


def build(preset: Preset, weights: str | None, random_init: bool, device: str) -> R21D:
    """The ``r21d16`` backbone (see :func:`coco.video.backbones.load_backbone`)."""
    check_device(device)
    kind, where = weights_source(preset, weights, random_init, HINT)
    if kind == "random-init":
        path, identity = None, random_identity()
    else:
        path, identity = torchvision_file(where, preset.name) if kind == "hub" else (where, file_identity(where))
    with seeded():
        net = r2plus1d_18()
    if path is not None:
        state = strip_prefix(read_state_dict(path), "module.")
        load_weights(net, {k: v for k, v in state.items() if not k.startswith("fc.")}, where, preset.name)
    return R21D(preset, net, identity, device, library_versions("torchvision"))
