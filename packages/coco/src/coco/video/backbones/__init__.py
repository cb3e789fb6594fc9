"""Backbones: build one from a preset (:func:`load_backbone`) and what every backbone offers (:class:`Backbone`)."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path
from typing import Protocol

import numpy as np

from coco.video.presets import PRESETS, Preset


class WeightsError(Exception):
    """The weights a backbone needs are missing or do not fit it (one-line message for the user)."""


class Backbone(Protocol):
    """A frozen visual backbone with its preprocessing tail.

    Attributes:
        preset: The recipe it implements.
        weights: Identity of the weights: ``{"kind": "file", "path": ..., "sha256": ...}``,
            ``{"kind": "hub", "name": ..., "revision": ...}`` or ``{"kind": "random-init"}``.
        device: ``cpu`` or ``cuda[:i]``.
    """

    preset: Preset
    weights: dict
    device: str

    def embed(self, frames: np.ndarray) -> np.ndarray:
        """Video features from preprocessed frames.

        Args:
            frames: (B, T, S, S, 3) uint8 RGB, T = ``preset.sampling.count``, S = ``preset.crop`` (already resized
                and cropped by the decoder; mean/std normalisation is the backbone's).

        Returns:
            (B, D) float32, D = ``preset.dim``: one feature per video (the preset's pooling over frames/clips).
        """
        ...


def file_identity(path: str | Path) -> dict:
    """``{"kind": "file", "path", "sha256"}`` of a weights file (streamed; files can be GBs)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"kind": "file", "path": str(path), "sha256": h.hexdigest()}


def load_backbone(name: str, weights: str | None = None, random_init: bool = False, device: str = "cpu") -> Backbone:
    """Builds the backbone of preset ``name``.

    Args:
        name: A key of :data:`PRESETS`.
        weights: Local file/directory or hub name; None: the preset's default (bundled or hub).
        random_init: Random weights, stamped in the recipe; only when asked for explicitly.
        device: ``cpu`` or ``cuda[:i]``.

    Raises:
        WeightsError: No usable weights (message says where to put them), or they do not fit.
        KeyError: Unknown preset.
    """
    return build_backbone(PRESETS[name], weights, random_init, device)


def build_backbone(preset: Preset, weights: str | None = None, random_init: bool = False,
                   device: str = "cpu") -> Backbone:
    """Builds the backbone of a :class:`Preset` object (registered or not) through its ``builder``."""
    module, func = preset.builder.split(":")
    return getattr(importlib.import_module(module), func)(preset, weights, random_init, device)
