"""The build's score stage: peak memory against the number of descriptions, streamed and all at once.

Input: the SYNTHETIC corpus of ``synthetic_corpus.py`` (GloVe words, ~36 words in 3 sentences per description;
not real footage text), written as a processed descriptions file ordered by action (as ``actionhub.process``
writes it) with a random site order, ~2,973 descriptions per action as at the paper's scale. Each size is scored
in a fresh process, whose own peak RSS (VmHWM) is reported:

- ``streamed``: ``actionhub.scoring.score_file``, the build's score stage (chunks of whole actions);
- ``whole``: the table read at once and scored by ``actionhub.relevance.score`` (the stage before streaming).

    python benchmarks/bench_score_stage.py [--sizes 100000,400000,1600000] [--scorer fusion] [--modes streamed,whole]
        [--encoder-precision fp32]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from synthetic_corpus import PAPER_ACTIONS, PAPER_DESCRIPTIONS, glove_vocabulary, synthetic_corpus

from actionhub import relevance

PER_ACTION = PAPER_DESCRIPTIONS // PAPER_ACTIONS  # ~2,973 descriptions per action
GENERATE_ROWS = 200_000

CHILD = r"""
import json, sys, time
from pathlib import Path
import pyarrow.parquet as pq
from actionhub import relevance, scoring
src, dst, actions_json, scorer_name, mode, precision = sys.argv[1:7]
actions = {int(k): v for k, v in json.loads(Path(actions_json).read_text()).items()}
scorer = relevance.make_scorer(scorer_name, precision=precision)
t = time.perf_counter()
if mode == "streamed":
    rows = scoring.score_file(Path(src), Path(dst), scorer, actions).descriptions
else:
    from actionhub.process import PROCESSED
    table = pq.read_table(src).cast(PROCESSED)
    scored = relevance.score(table, scorer, actions)
    pq.write_table(scored, dst, compression="zstd")
    rows = scored.num_rows
seconds = time.perf_counter() - t
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mib": hwm}))
"""


def write_processed(n: int, vocab: pa.Array, path: Path) -> dict[int, str]:
    """Writes ``n`` SYNTHETIC processed descriptions ordered by action; returns action id -> name."""
    from actionhub.process import PROCESSED

    actions: dict[int, str] = {}
    rng = np.random.default_rng(7)
    with pq.ParquetWriter(path, PROCESSED, compression="zstd") as writer:
        for start in range(0, n, GENERATE_ROWS):
            m = min(GENERATE_ROWS, n - start)
            n_actions = max(1, round(m / PER_ACTION))
            texts, local, names = synthetic_corpus(m, vocab, n_actions=n_actions, seed=start)
            order = np.argsort(local, kind="stable")
            ids = (local[order] + len(actions)).astype(np.int32)
            actions.update({a + len(actions): name for a, name in names.items()})
            did = pc.binary_join_element_wise("synthetic", pa.array(np.arange(start, start + m)).cast(pa.string()), ":")
            action_names = pa.array([actions[int(a)] for a in ids])
            table = pa.table({
                "description_id": did, "action_id": ids, "action": action_names, "site": pa.array(["synthetic"] * m),
                "asset_id": did, "queries": pa.array([[name] for name in action_names.to_pylist()]),
                "description": texts.take(pa.array(order)), "keywords": pa.nulls(m, pa.list_(pa.string())),
                "n_sentences": pa.array(np.full(m, 3), pa.int32()),
                "site_rank": pa.array(rng.permutation(m).astype(np.int32))}).cast(PROCESSED)
            writer.write_table(table)
    return actions


def _sizes(text: str) -> list[int]:
    """``--sizes``: positive integers, comma-separated."""
    try:
        sizes = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be >= 1, got {text!r}")
    return sizes


def _modes(text: str) -> list[str]:
    """``--modes``: ``streamed`` and/or ``whole``, comma-separated."""
    modes = text.split(",")
    if not modes or set(modes) - {"streamed", "whole"}:
        raise argparse.ArgumentTypeError(f"modes are streamed and/or whole, got {text!r}")
    return modes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default="100000,400000,1600000",
                        help="descriptions per run, comma-separated")
    parser.add_argument("--scorer", choices=sorted(relevance.SCORERS), default="fusion")
    parser.add_argument("--modes", type=_modes, default="streamed,whole", help="streamed and/or whole")
    parser.add_argument("--encoder-precision", choices=("fp32", "int8"), default=relevance.DEFAULT_ENCODER_PRECISION,
                        help="MiniLM's precision in the scorers that run it (default: the build's)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    from actionhub.assets import load_vectors

    vocab = glove_vocabulary(load_vectors())
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-score-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"SYNTHETIC processed descriptions (~{PER_ACTION:,} per action), scorer {args.scorer} (MiniLM "
          f"{args.encoder_precision} where it runs), fresh process "
          "per run; peak RSS is the child's VmHWM")
    print(f"{'descriptions':>12} {'mode':>9} {'seconds':>8} {'per s':>8} {'peak RSS MiB':>13}")
    try:
        for n in args.sizes:
            src = work / f"processed-{n}.parquet"
            actions = write_processed(n, vocab, src)
            (work / "actions.json").write_text(json.dumps(actions))
            for mode in args.modes:
                t = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", CHILD, str(src), str(work / "scored.parquet"),
                                      str(work / "actions.json"), args.scorer, mode, args.encoder_precision],
                                     capture_output=True, text=True)
                if out.returncode:
                    print(f"{n:>12,} {mode:>9} failed after {time.perf_counter() - t:.0f} s: "
                          f"{out.stderr.strip().splitlines()[-1]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{r['rows']:>12,} {mode:>9} {r['seconds']:>8.1f} {r['rows'] / r['seconds']:>8,.0f} "
                      f"{r['peak_rss_mib']:>13,.0f}", flush=True)
            src.unlink()
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
