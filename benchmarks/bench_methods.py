"""Every method of ``coco.methods`` and coco's presets on the SYNTHETIC benchmark, in one table.

    PYTHONPATH=packages/coco/src python benchmarks/bench_methods.py [--splits 5] [--seeds 1] [--workers 1]

SYNTHETIC features (``coco.synthetic``, with ``coco.methods.unitdata.synthetic_units``): the numbers say the
methods learn in one harness; they say nothing about real videos.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import methodtable  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    from coco.methods.unitdata import synthetic_units
    from coco.synthetic import SyntheticConfig, synthetic_task

    base = SyntheticConfig(val=0)
    configs = [replace(base, seed=i) for i in range(args.splits)]
    tasks = [synthetic_units(synthetic_task(c, name=f"synthetic/{i + 1}"), c) for i, c in enumerate(configs)]
    started = time.perf_counter()
    progress = methodtable.Progress(len(methodtable.STANDARD) * args.splits * args.seeds)
    results = methodtable.run_rows(methodtable.standard_rows(args.epochs, args.batch_size), tasks,
                                   list(range(args.seeds)), args.workers, progress=progress)
    summary = methodtable.summarize(results)
    print(f"SYNTHETIC benchmark: {args.splits} splits x {args.seeds} seeds, {base.seen} seen / {base.unseen} "
          f"unseen classes, {args.epochs} epochs, batch {args.batch_size}; {time.perf_counter() - started:.0f} s")
    print(methodtable.markdown(summary, chance=100.0 / base.unseen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
