"""Decoding: frame geometry and sampling against independent expectations, and every kind of broken input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from videofakes import TINY, make_faults, write_video

from coco.video.decode import VideoError, decode_or_reason, read_frames, target_size
from coco.video.presets import PRESETS, Sampling, frame_indices


def test_real_mp4s_letterbox_to_the_vits14_geometry(real_videos):
    preset = PRESETS["vits14"]
    bikes = read_frames(str(real_videos / "bikes.mp4"), preset)  # 640 x 272: bands above and below
    assert bikes.shape == (8, 224, 224, 3) and bikes.dtype == np.uint8
    h = round(272 * 224 / 640)  # 95 rows of picture, centred
    top = (224 - h) // 2
    assert bikes[:, :top].max() == 0 and bikes[:, top + h:].max() == 0
    assert bikes[:, top:top + h].mean() > 20
    phone = read_frames(str(real_videos / "carphone_pristine.mp4"), preset)  # 176 x 144: 183 rows of picture
    h = round(144 * 224 / 176)
    top = (224 - h) // 2
    assert phone[:, :top].max() == 0 and phone[:, top + h:].max() == 0 and phone[:, top:top + h].mean() > 20


def test_short_side_resize_and_centre_crop_size():
    preset = PRESETS["tsm8"]
    assert target_size(640, 272, preset) == (602, 256)  # 640 * 256 / 272 = 602.4
    assert target_size(272, 640, preset) == (256, 602)


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mkv"])  # mkv headers report 0 frames: counted instead
def test_sampled_frames_are_the_frames_the_sampling_names(tmp_path, name):
    levels = [6 * i for i in range(40)]  # frame i is grey level 6 i: the level identifies the frame
    path = write_video(tmp_path / name, levels)
    preset = replace(TINY, sampling=Sampling("uniform", 8))
    frames = read_frames(str(path), preset)
    expected = np.array(levels)[frame_indices(preset.sampling, 40)]
    np.testing.assert_allclose(frames.reshape(8, -1).mean(axis=1), expected, atol=3)


def test_clip_sampling_reads_consecutive_frames(tmp_path):
    levels = [5 * i for i in range(40)]
    path = write_video(tmp_path / "c.mp4", levels)
    preset = replace(TINY, sampling=Sampling("clips", 4, clips=2))
    means = read_frames(str(path), preset).reshape(8, -1).mean(axis=1)
    np.testing.assert_allclose(means, [0, 5, 10, 15, 180, 185, 190, 195], atol=3)  # clips start at 0 and 36


def test_every_broken_input_is_a_reason_not_an_exception(tmp_path, real_videos):
    expected = make_faults(tmp_path / "bad", real_videos / "bikes.mp4")
    for name, reason in expected.items():
        frames, got = decode_or_reason(str(tmp_path / "bad" / name), PRESETS["vits14"])
        assert frames is None and reason in got, (name, got)
    with pytest.raises(VideoError, match="file not found"):
        read_frames(str(tmp_path / "nothing.mp4"), TINY)


def test_a_truncated_video_keeps_what_decodes(tmp_path):
    path = write_video(tmp_path / "long.mkv", [3 * i for i in range(80)])  # mkv: frames interleaved with index
    data = path.read_bytes()
    (tmp_path / "cut.mkv").write_bytes(data[: len(data) // 2])
    frames, reason = decode_or_reason(str(tmp_path / "cut.mkv"), TINY)
    assert reason is None and frames.shape == (4, 16, 16, 3)
    assert frames.reshape(4, -1).mean(axis=1)[-1] < 3 * 79 - 20  # the last kept frame is from the first half


def test_corrupt_packets_in_the_middle_are_skipped(tmp_path):
    path = write_video(tmp_path / "v.mkv", [3 * i for i in range(80)])
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 400] = bytes(range(256)) + bytes(144)
    (tmp_path / "corrupt.mkv").write_bytes(bytes(data))
    frames, reason = decode_or_reason(str(tmp_path / "corrupt.mkv"), TINY)
    assert (frames is not None and frames.shape == (4, 16, 16, 3)) or reason, reason


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_reason(tmp_path):
    path = write_video(tmp_path / "v.mp4", [10] * 10)
    path.chmod(0)
    assert decode_or_reason(str(path), TINY)[1] == "permission denied"


class RotatedFrame:
    """A stored 40 x 20 frame, left half white, with a display matrix turning it 90 degrees counterclockwise."""

    width, height, rotation = 40, 20, 90

    def to_ndarray(self, width, height, format, interpolation):  # nearest-neighbour resize of the stored image
        image = np.zeros((self.height, self.width, 3), np.uint8)
        image[:, : self.width // 2] = 255
        rows = np.arange(height) * self.height // height
        cols = np.arange(width) * self.width // width
        return image[rows][:, cols]


def test_rotation_metadata_is_applied():
    from coco.video.decode import frame_to_array

    # Upright, the frame is 20 wide and 40 tall with its white half at the bottom (turned counterclockwise);
    # short side 16 -> 16 x 32, the centre 16 x 16 crop is black above its middle and white below.
    crop = frame_to_array(RotatedFrame(), TINY)
    assert crop.shape == (16, 16, 3)
    assert crop[:8].max() == 0 and crop[8:].min() == 255
