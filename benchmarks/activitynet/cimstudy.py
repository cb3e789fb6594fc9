"""The CIM study on the ActivityNet proxy: sweeps, which class texts CIM sees, and why it does (not) help.

Every sweep trains on the same tasks and seeds as the methods table and is compared, pair by pair, with AD+VC
at the same setting (``benchmarks.methodtable.paired``):

- gamma (cycle weight) and the CIM attention temperature (``cim_tau``) of AD+VC+CIM;
- CIM over the test classes' texts only vs test + validation classes' texts, on splits whose seen half
  gives 20 classes to validation (80 seen, 20 val, 100 test); no model selection in either (val videos
  unused), so only the classes CIM reconstructs from differ;
- k (top-k descriptions in the content feature; the paper's Fig. 9) and alpha (Fig. 10), with and without CIM;
- evidence: for AD+VC+CIM models, the attention of each seen class over the unseen classes (Eq. 11; entropy
  against log U, the largest weight, the nearest unseen class) and where the cycle (Eq. 12) lands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks import methodtable

GAMMAS = (0.03, 0.1, 0.3, 1.0)
CIM_TAUS = (0.03, 0.1, 0.3, 1.0)
KS = (1, 10, 50, 100, 200)
ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
VAL_CLASSES = 20
DEFAULTS = {"gamma": 0.1, "cim_tau": 0.1, "k": 100, "alpha": 0.5}  # the methods table's settings: runs reused


def _pairs(results: Mapping[str, list], base: list) -> dict:
    return {label: methodtable.summarize({"x": runs})["x"] | {"vs_base": methodtable.paired(runs, base)}
            for label, runs in results.items()}


def _base_of(main_base: list[dict], n_splits: int, seeds: Sequence[int]) -> list[dict]:
    return [r for r in main_base if r["split"] < n_splits and r["seed"] in seeds]


def planned_runs(ks: Sequence[int], splits: int, seeds: int) -> int:
    """How many trainings :func:`run_study` runs for these k values, splits and seeds (the defaults' reused)."""
    def swept(values, name: str) -> int:
        return sum(value != DEFAULTS[name] for value in values)

    per_pair = (swept(GAMMAS, "gamma") + swept(CIM_TAUS, "cim_tau") + 3  # + the three CIM-classes rows
                + 2 * swept(ks, "k") + 2 * swept(ALPHAS, "alpha"))  # AD+VC and AD+VC+CIM per value
    return per_pair * splits * seeds + splits  # + one evidence model per split


def sweep(name: str, values: Sequence, make: Callable, tasks: Sequence, seeds: Sequence[int], workers: int,
          log: Callable[[str], None], reuse: Mapping[str, list],
          progress: methodtable.Progress | None = None) -> dict[str, list]:
    """Runs ``make(value) -> {label: runner}`` for every value but the default, whose rows (labelled as ``make``
    labels them) are taken from ``reuse`` (the methods table's AD+VC and AD+VC+CIM); returns ``{label: runs}``."""
    rows, reused, order = {}, {}, []
    for value in values:
        made = make(value)
        order += list(made)
        if value == DEFAULTS[name]:
            reused |= {label: reuse["AD+VC+CIM" if "CIM" in label or name in ("gamma", "cim_tau") else "AD+VC"]
                       for label in made}
        else:
            rows |= made
    log(f"== CIM study: {name}")
    runs = reused | methodtable.run_rows(rows, tasks, seeds, workers, log, progress)
    return {label: runs[label] for label in order}


def with_validation(task, seed: int):
    """(test-only task, test+val task): ``VAL_CLASSES`` seen classes moved to validation (no val videos)."""
    from coco.task import Split

    seen = task.split.seen
    moved = set(np.random.default_rng(seed).choice(len(seen), VAL_CLASSES, replace=False).tolist())
    keep = tuple(n for i, n in enumerate(seen) if i not in moved)
    val = tuple(n for i, n in enumerate(seen) if i in moved)
    from coco.build import select

    train = select(task.train, keep)
    test_only = replace(task, split=Split(task.split.name, keep, task.split.unseen), train=train)
    return test_only, replace(test_only, split=Split(task.split.name, keep, task.split.unseen, val))


def evidence(task, seed: int, epochs: int, batch_size: int) -> dict:
    """Trains AD+VC+CIM once and describes its CIM attention over the unseen classes (Eq. 11-12)."""
    import torch

    from coco.config import preset
    from coco.evaluate import embed_classes
    from coco.train import cim_classes, train

    config = preset("coco", epochs=epochs, batch_size=batch_size, seed=seed, device="cpu")
    result = train(config, task)
    dev = torch.device("cpu")
    with torch.no_grad():
        seen = embed_classes(result.model, task.texts, task.split.seen, dev).fused(config.mix)  # (S, d)
        names = cim_classes(task)
        unseen = embed_classes(result.model, task.texts, names, dev).fused(config.mix)  # (U, d)
        weights = torch.softmax(seen @ unseen.T / config.cim_tau, dim=-1)  # (S, U) Eq. 11
        entropy = -(weights * weights.clamp_min(1e-30).log()).sum(1)  # (S,)
        back = torch.softmax((weights @ unseen) @ seen.T / config.cim_tau, dim=-1)  # (S, S) Eq. 12
        cos = torch.nn.functional.cosine_similarity(seen[:, None], unseen[None], dim=-1)  # (S, U)
    nearest = cos.argmax(1)
    last = result.history[-1]
    return {"top1": result.metrics["top1"], "unseen_classes": len(names), "log_u": float(np.log(len(names))),
            "entropy_mean": float(entropy.mean()), "entropy_min": float(entropy.min()),
            "max_weight_mean": float(weights.max(1).values.mean()),
            "cycle_self_weight_mean": float(back.diagonal().mean()),
            "nearest_cos_mean": float(cos.max(1).values.mean()),
            "loss_last_epoch": {k: round(v, 4) for k, v in last.items() if k.startswith("loss/")},
            "nearest_examples": [(task.split.seen[i], names[int(nearest[i])], round(float(cos[i, nearest[i]]), 3),
                                  round(float(weights[i].max()), 3)) for i in range(min(12, len(task.split.seen)))]}


def run_study(tasks: Sequence, texts_by_k: Mapping[int, object], seeds: Sequence[int], main: Mapping[str, list],
              epochs: int, batch_size: int, workers: int, log: Callable[[str], None] = print,
              progress: methodtable.Progress | None = None) -> dict:
    """All sweeps on ``tasks`` (the first splits of the methods table, whose runs are ``main``) with ``seeds``;
    :func:`planned_runs` trainings, each counted by ``progress``."""
    run = methodtable.coco_runner
    reuse = {label: _base_of(main[label], len(tasks), seeds) for label in ("AD+VC", "AD+VC+CIM")}
    base = reuse["AD+VC"]
    out: dict = {}
    res = sweep("gamma", GAMMAS, lambda g: {f"gamma={g}": run("coco", "coco", epochs, batch_size, gamma=g)},
                tasks, seeds, workers, log, reuse, progress)
    out["gamma"] = _pairs(res, base)
    res = sweep("cim_tau", CIM_TAUS, lambda t: {f"cim_tau={t}": run("coco", "coco", epochs, batch_size, cim_tau=t)},
                tasks, seeds, workers, log, reuse, progress)
    out["cim_tau"] = _pairs(res, base)
    pairs = [with_validation(t, i) for i, t in enumerate(tasks)]
    by_name = {p[0].split.name: p[1] for p in pairs}
    plain = run("coco", "ad+vc", epochs, batch_size)
    cim = run("coco", "coco", epochs, batch_size)
    rows = {"AD+VC": plain, "AD+VC+CIM, test texts": cim,
            "AD+VC+CIM, test+val texts": lambda task, seed: cim(by_name[task.split.name], seed)}
    log("== CIM study: CIM classes (80 seen / 20 val / 100 test)")
    res = methodtable.run_rows(rows, [p[0] for p in pairs], seeds, workers, log, progress)
    out["cim_classes"] = methodtable.summarize(res)
    for label, values, field in (("k", sorted(texts_by_k), None), ("alpha", ALPHAS, "alpha")):
        def make(value, field=field, label=label):
            extra = {field: value} if field else {}
            texts = None if field else texts_by_k[value]
            return {f"AD+VC {label}={value}": run("coco", "ad+vc", epochs, batch_size, texts, **extra),
                    f"AD+VC+CIM {label}={value}": run("coco", "coco", epochs, batch_size, texts, **extra)}
        res = sweep(label, values, make, tasks, seeds, workers, log, reuse, progress)
        out[label] = {str(v): {"AD+VC": methodtable.summarize({"x": res[f"AD+VC {label}={v}"]})["x"],
                               "AD+VC+CIM": methodtable.summarize({"x": res[f"AD+VC+CIM {label}={v}"]})["x"]
                               | {"vs_base": methodtable.paired(res[f"AD+VC+CIM {label}={v}"],
                                                                res[f"AD+VC {label}={v}"])}}
                      for v in values}
    log("== CIM study: evidence")
    out["evidence"] = []
    for t in tasks:
        out["evidence"].append(evidence(t, seeds[0], epochs, batch_size))
        if progress is not None:
            progress.tick()
    return out


def plot(study: Mapping, key: str, xlabel: str, path: Path, log_x: bool = False) -> Path:
    """Top-1 (mean +- std over splits) of AD+VC and AD+VC+CIM against the swept value, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = list(study[key])
    x = [float(v) for v in values]
    fig, ax = plt.subplots(figsize=(4.5, 3.2), dpi=120)
    for label, marker in (("AD+VC", "o"), ("AD+VC+CIM", "s")):
        mean = [study[key][v][label]["top1"]["mean"] for v in values]
        std = [study[key][v][label]["top1"]["std"] for v in values]
        ax.errorbar(x, mean, yerr=std, marker=marker, capsize=3, label=label)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("unseen top-1 (%)")
    ax.set_title(f"ActivityNet proxy: {key} sweep")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
