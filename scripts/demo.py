"""The `make demo` job: runs the main pipeline end to end on embedded defaults, offline.

Each stage prints what it did; outputs land in ``out/demo/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from actionhub import cli as actionhub_cli
from coco import cli as coco_cli

OUT = Path("out/demo")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print("== actionhub doctor")
    status = actionhub_cli.main(["doctor"])
    return status or coco_synthetic()


def coco_synthetic() -> int:
    """Short CoCo train + eval on the SYNTHETIC benchmark (random features, not videos)."""
    print("== coco: train + eval on the SYNTHETIC benchmark (random features with shared concepts, NOT real videos)")
    run = str(OUT / "coco-synthetic")
    return (coco_cli.main(["train", "--protocol", "synthetic", "--epochs", "5", "--batch-size", "128",
                           "--out-dir", run])
            or coco_cli.main(["eval", "--protocol", "synthetic", "--out-dir", run]))


if __name__ == "__main__":
    sys.exit(main())
