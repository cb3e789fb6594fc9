"""Decoding one video into a preset's frames with PyAV: robust to lying headers, bad packets and non-videos.

Every way a video can fail ends in a :class:`VideoError` whose ``reason`` becomes a failure row; nothing else
escapes :func:`read_frames` (the stage catches the unexpected too, so one video never stops a run).

How frames are found: the header's frame count picks the indices (:func:`~coco.video.presets.frame_indices`);
decoding then goes packet by packet (a bad packet is skipped, not fatal) and counts the frames that really
decode. When the count differs from the header (truncated files, VFR, MKV/WebM report 0), the indices are
recomputed on the real count and the video is decoded a second time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from coco.video.presets import Preset, frame_indices

INTERPOLATION = {"bilinear": "BILINEAR", "bicubic": "BICUBIC"}


class VideoError(Exception):
    """One video cannot give the preset's frames; ``reason`` is the failure row's text."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def target_size(width: int, height: int, preset: Preset) -> tuple[int, int]:
    """(width, height) a frame of this display size is resized to before cropping or padding to the crop."""
    if preset.resize == "short_side_crop":
        scale = preset.short_side / min(width, height)
        return max(preset.crop, round(width * scale)), max(preset.crop, round(height * scale))
    scale = preset.crop / max(width, height)  # letterbox: the long side becomes the crop
    return max(1, min(preset.crop, round(width * scale))), max(1, min(preset.crop, round(height * scale)))


def frame_to_array(frame, preset: Preset) -> np.ndarray:
    """One decoded ``av.VideoFrame`` -> (S, S, 3) uint8 RGB, upright, resized and cropped/letterboxed."""
    quarter_turns = round(frame.rotation / 90) % 4  # display = the stored frame turned counterclockwise
    width, height = (frame.height, frame.width) if quarter_turns % 2 else (frame.width, frame.height)
    w, h = target_size(width, height, preset)
    stored_w, stored_h = (h, w) if quarter_turns % 2 else (w, h)
    image = frame.to_ndarray(width=stored_w, height=stored_h, format="rgb24",
                             interpolation=INTERPOLATION[preset.interpolation])  # (stored_h, stored_w, 3)
    if quarter_turns:
        image = np.rot90(image, quarter_turns)
    s = preset.crop
    if preset.resize == "short_side_crop":
        top, left = (h - s) // 2, (w - s) // 2
        return np.ascontiguousarray(image[top:top + s, left:left + s])
    out = np.zeros((s, s, 3), np.uint8)  # letterbox: black padding around the centred image
    top, left = (s - h) // 2, (s - w) // 2
    out[top:top + h, left:left + w] = image
    return out


def _open(source: str):
    """``av.open`` on a local path, or on a pyarrow filesystem URI (``s3://``, ``gs://``, ``file://``...)."""
    import av

    if "://" in source:
        from pyarrow import fs

        filesystem, path = fs.FileSystem.from_uri(source)
        return av.open(filesystem.open_input_file(path), metadata_errors="ignore")
    return av.open(source, metadata_errors="ignore")


def _check_path(source: str) -> None:
    if "://" in source:
        return
    path = Path(source)
    if not path.exists():
        raise VideoError("dangling symlink" if path.is_symlink() else "file not found")
    if path.is_dir():
        raise VideoError("is a directory")
    if not os.access(path, os.R_OK):
        raise VideoError("permission denied")
    if path.stat().st_size == 0:
        raise VideoError("empty file (0 bytes)")


def _decode_pass(source: str, choose: Callable[[int], set[int]], preset: Preset) -> tuple[int, int, dict, int]:
    """Decodes every packet once, keeping the frames ``choose(header's frame count)`` names.

    Returns:
        (frames decoded, header's frame count, {index: (S, S, 3) uint8}, corrupt packets skipped).
    """
    import av

    try:
        container = _open(source)
    except av.error.IsADirectoryError as exc:
        raise VideoError("is a directory") from exc
    except (av.error.FileNotFoundError, FileNotFoundError) as exc:  # the second from pyarrow filesystems
        raise VideoError("file not found") from exc
    except av.error.PermissionError as exc:
        raise VideoError("permission denied") from exc
    except (av.FFmpegError, OSError, ValueError) as exc:  # InvalidDataError is a ValueError, not an OSError
        raise VideoError(f"not a readable video container ({exc.__class__.__name__})") from exc
    with container:
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams}) or ["no"]
            raise VideoError(f"no video stream ({'/'.join(kinds)} streams only)")
        stream = container.streams.video[0]
        header, index, bad, kept = stream.frames, 0, 0, {}
        wanted = choose(header)
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except (av.FFmpegError, ValueError):  # corrupt packet: skip it, keep the rest of the video
                bad += 1
                continue
            for frame in frames:
                if index in wanted:
                    kept[index] = frame_to_array(frame, preset)
                index += 1
    return index, header, kept, bad


def read_frames(source: str, preset: Preset) -> np.ndarray:
    """The frames ``preset`` reads from one video.

    Args:
        source: Local path or pyarrow filesystem URI.
        preset: Sampling, resize and crop.

    Returns:
        (T, S, S, 3) uint8 RGB with T = ``preset.sampling.count``, S = ``preset.crop``.

    Raises:
        VideoError: Missing, empty, unreadable, not a video, no video stream, or fewer decodable frames than the
            sampling needs.
    """
    _check_path(source)
    need = preset.sampling.min_frames

    def from_header(header: int) -> set[int]:
        return set(frame_indices(preset.sampling, header).tolist()) if header >= need else set()

    count, header, kept, bad = _decode_pass(source, from_header, preset)
    if count == 0:
        raise VideoError("no decodable frames" + (f" ({bad} corrupt packets)" if bad else ""))
    if count < need:
        raise VideoError(f"too short: {count} decodable frames, the {preset.name} sampling needs {need}")
    wanted = frame_indices(preset.sampling, count)
    if count != header:  # the header lied (or said 0): decode again, sampling the real count
        second, _, kept, _ = _decode_pass(source, lambda _: set(wanted.tolist()), preset)
        if not set(wanted.tolist()) <= kept.keys():
            raise VideoError(f"decoding is not repeatable ({count} then {second} frames)")
    return np.stack([kept[i] for i in wanted.tolist()])


def decode_or_reason(source: str, preset: Preset) -> tuple[np.ndarray | None, str | None]:
    """(frames, None), or (None, reason) for any failure, the unexpected included (runs in decode workers)."""
    try:
        return read_frames(source, preset), None
    except VideoError as exc:
        return None, exc.reason
    except Exception as exc:  # a decoder bug on one file must not stop the run: it becomes that file's row
        return None, f"unexpected {exc.__class__.__name__}: {exc}"[:300]
