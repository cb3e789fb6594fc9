"""``clip8``: the open_clip ViT-B/16 image tower; the mean of the frames' L2-normalised 512-d embeddings.

Radford et al. Learning Transferable Visual Models From Natural Language Supervision. ICML 2021. The OpenAI
weights use QuickGELU, so the tower is always built with it (open_clip's ``ViT-B-16`` + ``quick_gelu`` as its
``openai`` tag does). Weights: a local open_clip checkpoint (full CLIP ``visual.*`` keys or the image tower alone,
``.safetensors`` or torch) or ``open_clip:ViT-B-16/openai`` (``open_clip_model.safetensors`` of the hub
repository open_clip names for that tag). Only the image tower is kept.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from coco.video.backbones import WeightsError, file_identity
from coco.video.backbones.torchbase import (
    TorchBackbone,
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

ARCH = "ViT-B-16"
HUB_PREFIX = "open_clip:"
HINT = ("clip8 needs weights: pass --weights FILE (open_clip ViT-B-16 openai: open_clip_model.safetensors from "
        "huggingface.co/timm/vit_base_patch16_clip_224.openai) or run with internet; --random-init for plumbing tests")


def vit_b16_image_tower() -> nn.Module:
    """open_clip's ViT-B/16 image tower with QuickGELU: (N, 3, 224, 224) -> (N, 512) projected embeddings."""
    import open_clip

    return open_clip.CLIP(**open_clip.get_model_config(ARCH), quick_gelu=True).visual


def image_tower_weights(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The image tower's tensors of a full CLIP checkpoint (``visual.*``, prefix removed), or ``state`` as is."""
    state = strip_prefix(state, "module.")
    if any(k.startswith("visual.") for k in state):
        return {k.removeprefix("visual."): v for k, v in state.items() if k.startswith("visual.")}
    return state


def hub_file(name: str, preset_name: str) -> tuple[str, dict]:
    """The hub file of ``open_clip:<model>/<tag>`` (cached, else downloaded) and its identity."""
    import open_clip
    from open_clip.constants import HF_SAFE_WEIGHTS_NAME

    model, _, tag = name.removeprefix(HUB_PREFIX).partition("/")
    repo = (open_clip.get_pretrained_cfg(model, tag) or {}).get("hf_hub", "").strip("/")
    if model != ARCH or not repo:
        raise WeightsError(f"{preset_name}: {name} names no ViT-B-16 hub weights known to open_clip; {HINT}")
    path, identity = hf_hub_file(repo, HF_SAFE_WEIGHTS_NAME, preset_name, HINT)
    return path, {**identity, "name": name, "repository": repo}


class CLIPImage(TorchBackbone):
    """``clip8``: each frame through the image tower, L2-normalised (in fp32); the mean over frames."""

    memory_format = torch.contiguous_format  # a ViT: only the patch embedding is a convolution

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t = x.shape[:2]
        per_frame = self.model(x.reshape(b * t, *x.shape[2:])).float()  # (B*T, 512)
        return F.normalize(per_frame, dim=-1).view(b, t, -1).mean(1)


def build(preset: Preset, weights: str | None, random_init: bool, device: str) -> CLIPImage:
    """The ``clip8`` backbone (see :func:`coco.video.backbones.load_backbone`)."""
    check_device(device)
    kind, where = weights_source(preset, weights, random_init, HINT)
    if kind == "random-init":
        path, identity = None, random_identity()
    else:
        path, identity = hub_file(where, preset.name) if kind == "hub" else (where, file_identity(where))
    with seeded():
        net = vit_b16_image_tower()
    if path is not None:
        load_weights(net, image_tower_weights(read_state_dict(path)), where, preset.name)
    return CLIPImage(preset, net, identity, device, library_versions("torchvision", "open_clip_torch"))
