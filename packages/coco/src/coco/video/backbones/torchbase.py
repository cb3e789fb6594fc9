"""What the torch backbones share: weights resolution and loading, seeding, device placement, normalisation, batching.

A torch backbone module (``tsm``, ``bit``, ``r21d``, ``clip``) builds its ``nn.Module``, resolves its weights with
:func:`weights_source`, loads them with :func:`read_state_dict` + :func:`load_weights` (or a hub helper), and
wraps the result in a :class:`TorchBackbone` subclass that implements ``forward`` on normalised frames.
"""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import numpy as np
import torch

from coco.video.backbones import WeightsError, file_identity
from coco.video.presets import Preset

RANDOM_INIT_SEED = 0
# Default frames per forward pass: bounds activation memory whatever batch the stage hands over.
MAX_FRAMES_PER_FORWARD = 256


def one_line(error: BaseException | str, limit: int = 300) -> str:
    """An exception (or text) as one short line: whitespace collapsed, cut at ``limit`` characters."""
    text = re.sub(r"\s+", " ", str(error)).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def library_versions(*distributions: str) -> dict[str, str]:
    """Installed versions of ``torch`` and the given distributions (recorded in the recipe)."""
    return {name: metadata.version(name) for name in ("torch", *distributions)}


def check_device(device: str) -> None:
    """Raises ValueError (one line) for a device torch cannot use here."""
    try:
        kind = torch.device(device).type
    except RuntimeError as e:
        raise ValueError(f"unknown device {device!r}: {one_line(e)}") from e
    if kind not in ("cpu", "cuda"):
        raise ValueError(f"device {device!r}: only cpu and cuda[:i] are supported")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but torch sees no CUDA GPU here")


def weights_source(preset: Preset, weights: str | None, random_init: bool,
                   hint: str) -> tuple[Literal["random-init", "file", "hub"], str | None]:
    """Which weights a build loads.

    Args:
        preset: The recipe (its ``default_weights`` is the hub name used when ``weights`` is None).
        weights: A local file, the preset's hub name, or None.
        random_init: Random weights, asked for explicitly.
        hint: The one-line "needs weights" message of the backbone (where to get the file, which flags).

    Returns:
        ``("random-init", None)``, ``("file", path)`` or ``("hub", name)``.

    Raises:
        WeightsError: Both ``weights`` and ``random_init``; no weights and no default; a path that is not a file.
    """
    if random_init:
        if weights is not None:
            raise WeightsError(f"{preset.name}: --weights and --random-init exclude each other")
        return "random-init", None
    if weights is None:
        if preset.default_weights is None:
            raise WeightsError(hint)
        return "hub", preset.default_weights
    if Path(weights).is_file():
        return "file", weights
    if weights == preset.default_weights:
        return "hub", weights
    raise WeightsError(f"no weights file {weights}; {hint}")


@contextlib.contextmanager
def seeded() -> Iterator[None]:
    """Model construction under a fixed seed (random init is deterministic), leaving the global RNG untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(RANDOM_INIT_SEED)
        yield


def random_identity() -> dict:
    """Weights identity of a seeded random initialisation."""
    return {"kind": "random-init", "seed": RANDOM_INIT_SEED}


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Tensors of a weights file: ``.safetensors``, or a torch file read with ``weights_only=True``.

    A training checkpoint's ``{"state_dict": ...}`` or ``{"model": ...}`` wrapper is unwrapped; other entries
    (epoch, optimizer, ...) are ignored.

    Raises:
        WeightsError: Unreadable file, or no tensors in it.
    """
    path = Path(path)
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path), device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # any failure to read is a fault of the file: report it in one line
        raise WeightsError(f"cannot read weights {path}: {one_line(e)}") from e
    if isinstance(state, dict):
        for key in ("state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if not isinstance(state, dict) or not state or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WeightsError(f"{path} holds no state dict of tensors")
    return state


def strip_prefix(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The state dict with ``prefix`` removed from every key, when every key has it (DataParallel's ``module.``)."""
    if all(k.startswith(prefix) for k in state):
        return {k[len(prefix):]: v for k, v in state.items()}
    return state


def load_weights(model: torch.nn.Module, state: dict[str, torch.Tensor], where: str, name: str) -> None:
    """Loads ``state`` into ``model``; every parameter and buffer must be covered, nothing may be left over.

    Missing ``num_batches_tracked`` counters are tolerated (older checkpoints lack them; eval mode never reads them).

    Args:
        model: The network.
        state: Its weights, keys already mapped to the network's names.
        where: The weights' origin, for the message (a path or hub name).
        name: The preset name, for the message.

    Raises:
        WeightsError: Missing, unexpected or wrongly shaped tensors (one line naming the first few).
    """
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as e:  # size mismatches
        raise WeightsError(f"{where} does not fit {name}: {one_line(e)}") from e
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise WeightsError(
            f"{where} does not fit {name}: {len(missing)} missing tensors {missing[:3]}, "
            f"{len(result.unexpected_keys)} unexpected {result.unexpected_keys[:3]}")


def _resolvable(host: str) -> bool:
    """Whether the name of ``host`` resolves (a local resolver query; nothing is sent to the host itself)."""
    try:
        socket.getaddrinfo(host, 443)
    except (OSError, UnicodeError):
        return False
    return True


def hf_hub_file(repo_id: str, filename: str, name: str, hint: str) -> tuple[str, dict]:
    """A file of a Hugging Face hub repository: from the local cache, else downloaded.

    Returns:
        (local path, identity ``{"kind": "hub", "name", "file", "revision", "sha256"}``).

    Raises:
        WeightsError: Not cached and not downloadable (offline).
    """
    from huggingface_hub import constants, hf_hub_download

    try:
        path = hf_hub_download(repo_id, filename, local_files_only=True)
    except Exception:  # not cached (the exception type differs across huggingface_hub versions)
        host = urlparse(constants.ENDPOINT).hostname or ""
        if not constants.HF_HUB_OFFLINE and not _resolvable(host):  # no network: say so now, not after 5 retries
            raise WeightsError(f"{name}: not in the local hub cache and {host} cannot be reached; {hint}") from None
        try:
            path = hf_hub_download(repo_id, filename)
        except Exception as e:  # offline, no such repo, ...: the user's remedy is the same
            raise WeightsError(f"{name}: cannot fetch {repo_id}/{filename} ({type(e).__name__}); {hint}") from e
    # Cached as <cache>/models--org--repo/snapshots/<commit>/<filename>: the snapshot folder is the revision.
    return path, {"kind": "hub", "name": repo_id, "file": filename, "revision": Path(path).parent.name,
                  "sha256": file_identity(path)["sha256"]}


class TorchBackbone:
    """A frozen torch network behind the :class:`~coco.video.backbones.Backbone` contract.

    ``embed`` validates the frames, moves them to the device as uint8 (pinned host memory and non-blocking copies
    on CUDA), normalises them there with the preset's mean/std, and runs ``forward`` whole videos at a time under
    ``torch.inference_mode`` (bf16 autocast on CUDA, fp32 on CPU). Subclasses implement ``forward``. One thread
    calls ``embed`` at a time (the pinned buffer is reused between calls).

    Attributes:
        preset: The recipe.
        weights: Identity of the loaded weights.
        device: ``cpu`` or ``cuda[:i]``.
        libraries: Versions of the libraries the features depend on.
        compute_dtype: ``float32`` (CPU) or ``bfloat16-autocast`` (CUDA).
        pretrained_on: ``preset.pretrained_on``, or ``nothing: random initialisation`` for random weights.
        frames_per_pass: Frames per forward pass (whole videos; at least one video), bounding device memory.
    """

    # Layout of conv inputs on CUDA (cuDNN's fast path for bf16 convolutions); ViTs override with contiguous.
    memory_format: torch.memory_format = torch.channels_last

    def __init__(self, preset: Preset, model: torch.nn.Module, weights: dict, device: str,
                 libraries: dict[str, str]) -> None:
        check_device(device)
        self.preset = preset
        self.weights = weights
        self.device = device
        self.libraries = libraries
        self.cuda = torch.device(device).type == "cuda"
        self.compute_dtype = "bfloat16-autocast" if self.cuda else "float32"
        random = weights["kind"] == "random-init"
        self.pretrained_on = "nothing: random initialisation" if random else preset.pretrained_on
        self.frames_per_pass = MAX_FRAMES_PER_FORWARD
        model = model.eval().requires_grad_(False).to(device)
        self.model = model.to(memory_format=self.memory_format) if self.cuda else model
        mean = torch.tensor(preset.mean, dtype=torch.float32, device=device).view(1, 1, 3, 1, 1)
        std = torch.tensor(preset.std, dtype=torch.float32, device=device).view(1, 1, 3, 1, 1)
        # (x / 255 - mean) / std as one multiply-add on the uint8 values
        self._scale = 1.0 / (255.0 * std)
        self._offset = mean / std
        self._pinned: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features of normalised videos.

        Args:
            x: (B, T, 3, S, S) float32 on the device, normalised.

        Returns:
            (B, D) features.
        """
        raise NotImplementedError

    def recipe(self) -> dict:
        """What the features depend on besides the preset and weights: compute dtype, library versions, and what the
        loaded weights were trained on."""
        return {"compute_dtype": self.compute_dtype, "libraries": dict(self.libraries),
                "pretrained_on": self.pretrained_on}

    def embed(self, frames: np.ndarray) -> np.ndarray:
        """See :meth:`coco.video.backbones.Backbone.embed`."""
        frames = self._check(frames)
        if len(frames) == 0:
            return np.zeros((0, self.preset.dim), np.float32)
        host = self._host(frames)
        per_pass = max(1, self.frames_per_pass // self.preset.sampling.count)
        autocast = torch.autocast("cuda", dtype=torch.bfloat16) if self.cuda else contextlib.nullcontext()
        outputs = []
        with torch.inference_mode(), autocast:
            for start in range(0, len(frames), per_pass):
                x = host[start:start + per_pass].to(self.device, non_blocking=True)  # (b, T, S, S, 3) uint8
                # (b, T, 3, S, S): a channels-last view of the decoder's HWC frames, no copy
                x = x.permute(0, 1, 4, 2, 3).float() * self._scale - self._offset
                outputs.append(self.forward(x).float())
        features = torch.cat(outputs).cpu().numpy()  # the one synchronisation point; frees the pinned buffer for reuse
        if features.shape != (len(frames), self.preset.dim):
            raise RuntimeError(f"{self.preset.name}: forward gave {features.shape}, expected "
                               f"({len(frames)}, {self.preset.dim})")
        return features

    def layout(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` in the network's memory format on CUDA (a no-op when it already is); unchanged on CPU."""
        return x.contiguous(memory_format=self.memory_format) if self.cuda else x

    def _check(self, frames: np.ndarray) -> np.ndarray:
        t, s = self.preset.sampling.count, self.preset.crop
        if not isinstance(frames, np.ndarray) or frames.dtype != np.uint8:
            raise ValueError(f"{self.preset.name}: frames must be a uint8 numpy array")
        if frames.ndim != 5 or frames.shape[1:] != (t, s, s, 3):
            raise ValueError(f"{self.preset.name}: frames of shape {frames.shape}, expected (B, {t}, {s}, {s}, 3)")
        return np.require(frames, requirements=["C", "W"])  # torch.from_numpy needs writable memory

    def _host(self, frames: np.ndarray) -> torch.Tensor:
        """The batch as a host tensor: a view on CPU; on CUDA a copy in a reused pinned buffer (async copies)."""
        batch = torch.from_numpy(frames)
        if not self.cuda:
            return batch
        if self._pinned is None or self._pinned.numel() < batch.numel():
            self._pinned = torch.empty(batch.numel(), dtype=torch.uint8, pin_memory=True)
        host = self._pinned[: batch.numel()].view(batch.shape)
        host.copy_(batch)
        return host


class FrameMeanBackbone(TorchBackbone):
    """A network over single frames (N, 3, S, S) -> (N, D) whose features are averaged over each video's frames.

    The frames of a video stay adjacent in the (B*T) batch, which TSM's shift relies on.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t = x.shape[:2]
        per_frame = self.model(self.layout(x.reshape(b * t, *x.shape[2:])))  # (B*T, D)
        return per_frame.view(b, t, -1).mean(1)

