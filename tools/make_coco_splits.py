"""Writes coco's seeded random class splits: ``packages/coco/src/coco/data/splits/*.json``.

UCF101 and HMDB51 intra-dataset (50 draws, half the classes unseen) and cross-dataset (10 draws of the unseen
half; training classes = ``coco.protocols.kinetics_cross_train()``). The draws come from
``coco.protocols.random_splits`` with the fixed ``coco.protocols.SEED``; a test regenerates them and compares
with the shipped files.

Usage: ``PYTHONPATH=packages/actionhub/src:packages/coco/src python tools/make_coco_splits.py`` (after
``tools/make_kinetics_cross_train.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coco.protocols import generate_split_files

SPLITS = Path(__file__).resolve().parents[1] / "packages/coco/src/coco/data/splits"


def main() -> int:
    SPLITS.mkdir(parents=True, exist_ok=True)
    for name, doc in generate_split_files().items():
        (SPLITS / name).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {len(doc['splits'])} splits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
