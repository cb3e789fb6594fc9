"""One table of every zero-shot method on the same tasks and seeds, with paired differences to a base row.

A *row* is a label and a runner ``(task, seed) -> coco metrics``; :func:`standard_rows` gives coco's presets and
the methods of ``coco.methods`` with one set of optimisation settings. :func:`run_rows` runs every row on every
(split, seed), optionally in forked worker processes (the tasks are shared copy-on-write); :func:`summarize`
reports top-1/top-5 mean +- std over splits (seeds averaged within a split first) and, for each row, the
paired top-1 difference to the base row over all (split, seed) pairs with a two-sided 95% t interval;
:func:`markdown` renders it. A :class:`Progress` shared by every ``run_rows`` call of a benchmark logs an estimate
of the remaining time after the first few trainings, and again at each quarter. Used by
``benchmarks/bench_methods.py`` (SYNTHETIC) and ``benchmarks/activitynet/methods.py`` (the ActivityNet proxy).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

Runner = Callable[[Any, int], dict]
BASE = "AD+VC"

# Row label -> (coco.methods name, coco preset, TrainConfig overrides).
STANDARD: dict[str, tuple[str, str, dict]] = {
    "ESZSL": ("eszsl", "ad+vc", {}),
    "DeViSE": ("devise", "ad+vc", {}),
    "ER (AD only)": ("er", "ad", {}),
    "AD": ("coco", "ad", {}),
    "VC": ("coco", "vc", {}),
    "AD+VC": ("coco", "ad+vc", {}),
    "AD+CIM": ("coco", "ad+cim", {}),
    "VC+CIM": ("coco", "vc+cim", {}),
    "AD+VC+CIM": ("coco", "coco", {}),
    "units": ("units", "ad+vc", {}),
    "units+CIM": ("units", "coco", {}),
}


def coco_runner(method: str, preset: str, epochs: int, batch_size: int, texts=None, **overrides) -> Runner:
    """A runner training ``method`` with ``preset`` (+ overrides) on CPU; ``texts`` replaces the task's texts."""

    def run(task, seed: int) -> dict:
        from coco.config import preset as make_config
        from coco.train import train

        config = make_config(preset, epochs=epochs, batch_size=batch_size, seed=seed, device="cpu",
                             method=method, **overrides)
        return train(config, task if texts is None else replace(task, texts=texts)).metrics

    return run


def standard_rows(epochs: int, batch_size: int, texts: Mapping[str, Any] | None = None) -> dict[str, Runner]:
    """Runners of :data:`STANDARD`; ``texts`` maps a label to class texts replacing the task's (e.g. ER's)."""
    texts = texts or {}
    return {label: coco_runner(m, p, epochs, batch_size, texts.get(label), **o)
            for label, (m, p, o) in STANDARD.items()}


@dataclass
class Progress:
    """Trainings finished against the planned total, with time estimates in the log.

    Attributes:
        total: Trainings the whole benchmark will run.
        log: Where estimates go.
        first: Trainings after which the first estimate is logged (one of each table row, say).
        done: Trainings finished so far.
        started: ``time.perf_counter()`` at the start.
    """

    total: int
    log: Callable[[str], None] = print
    first: int = len(STANDARD)
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    _next: int = 0

    def __post_init__(self) -> None:
        self._next = min(self.first, self.total)

    def tick(self) -> None:
        """Counts one finished training; logs an estimate after the first few and at every further quarter."""
        self.done += 1
        if self.done < self._next or self.done >= self.total:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        self.log(f"  time estimate: {self.done}/{self.total} trainings in {elapsed / 60:.1f} min; about "
                 f"{left / 60:.0f} min more at this rate (the mix of methods differs between stages)")
        self._next = self.done + max(1, self.total // 4)


_JOBS: list = []  # (runner, task, seed) of the current run_rows call, inherited by forked workers


def _work(i: int) -> tuple[int, dict]:
    runner, task, seed = _JOBS[i]
    import torch

    torch.set_num_threads(1)
    metrics = runner(task, seed)
    return i, {"top1": float(metrics["top1"]), "top5": float(metrics["top5"]),
               **{k: metrics[k] for k in ("temperature", "regularisers") if k in metrics}}


def run_rows(rows: Mapping[str, Runner], tasks: Sequence[Any], seeds: Sequence[int], workers: int = 1,
             log: Callable[[str], None] = print, progress: Progress | None = None) -> dict[str, list[dict]]:
    """Every row on every (task, seed); returns ``{label: [{"split", "seed", "top1", "top5", ...}]}``.

    ``progress`` counts each finished training (and logs its estimates).
    """
    keys = [(label, s, seed) for s in range(len(tasks)) for seed in seeds for label in rows]
    _JOBS[:] = [(rows[label], tasks[s], seed) for label, s, seed in keys]
    out: dict[str, list[dict]] = {label: [] for label in rows}
    results = {}
    with multiprocessing.get_context("fork").Pool(workers) if workers > 1 else _Inline() as pool:
        for i, metrics in pool.imap_unordered(_work, range(len(keys))):
            results[i] = metrics
            if progress is not None:
                progress.tick()
    for i, (label, s, seed) in enumerate(keys):
        out[label].append({"split": s, "seed": seed, **results[i]})
    _JOBS.clear()
    log("  " + ", ".join(f"{label} {np.mean([r['top1'] for r in rs]):.1f}" for label, rs in out.items()))
    return out


class _Inline:
    """``imap_unordered`` in this process, in order (``workers`` = 1)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc) -> None:
        return None

    @staticmethod
    def imap_unordered(fn, items):
        return map(fn, items)


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of a two-sided t interval of the mean (low = high = mean for one value)."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    if len(v) < 2:
        return float(v.mean()), float(v.mean()), float(v.mean())
    half = stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def _over_splits(runs: Sequence[dict], key: str) -> dict:
    by_split: dict[int, list[float]] = {}
    for r in runs:
        by_split.setdefault(r["split"], []).append(r[key])
    means = np.array([np.mean(v) for v in by_split.values()])
    return {"mean": float(means.mean()), "std": float(means.std(ddof=1)) if len(means) > 1 else 0.0}


def paired(runs: Sequence[dict], base: Sequence[dict], key: str = "top1") -> dict:
    """Paired ``key`` difference of ``runs`` to ``base`` over matching (split, seed) pairs."""
    ref = {(r["split"], r["seed"]): r[key] for r in base}
    diff = [r[key] - ref[r["split"], r["seed"]] for r in runs]
    mean, low, high = t_interval(diff)
    return {"mean": mean, "low": low, "high": high, "better": int(sum(d > 0 for d in diff)), "pairs": len(diff)}


def summarize(results: Mapping[str, Sequence[dict]], base: str = BASE) -> dict[str, dict]:
    """Per row: top-1/top-5 mean +- std over splits and the paired top-1 difference to ``base``."""
    out = {}
    for label, runs in results.items():
        out[label] = {"top1": _over_splits(runs, "top1"), "top5": _over_splits(runs, "top5"),
                      "splits": len({r["split"] for r in runs}), "seeds": len({r["seed"] for r in runs})}
        if base in results and label != base:
            out[label]["vs_base"] = paired(runs, results[base])
    return out


def markdown(summary: Mapping[str, dict], base: str = BASE, chance: float | None = None) -> str:
    """The table: method, top-1, top-5 (mean +- std over splits), paired top-1 difference to ``base``."""
    lines = [f"| method | top-1 (%) | top-5 (%) | top-1 - {base} (95% interval) | better pairs |",
             "|---|---|---|---|---|"]
    for label, s in summary.items():
        d = s.get("vs_base")
        diff = (f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}]", f"{d['better']}/{d['pairs']}") if d \
            else ("(base)", "")
        lines.append(f"| {label} | {s['top1']['mean']:.1f} ± {s['top1']['std']:.1f} | "
                     f"{s['top5']['mean']:.1f} ± {s['top5']['std']:.1f} | {diff[0]} | {diff[1]} |")
    if chance is not None:
        lines.append(f"| chance | {chance:.1f} | {min(100.0, 5 * chance):.1f} | | |")
    return "\n".join(lines)
