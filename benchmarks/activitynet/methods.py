"""Every method in one harness on the ActivityNet proxy, and the CIM study (issue 15).

    python -m benchmarks.activitynet.methods                # quick: table and study over 10 splits x 1 seed
    python -m benchmarks.activitynet.methods --full         # 10 splits x 3 seeds, k sweep 1,10,50,100,200

The run logs how many trainings it plans and, after the first few, an estimate of the time left.

Same data, "videos", class texts and splits as experiment 3 of ``benchmarks.activitynet.run`` (whose build and
caches under ``out/bench-anet`` it reuses, running the build first when absent). Extra class texts: ER's
elaborative description (``name: definition`` where an ER definition exists, else the name) for the ER row,
each class's top-``unit_k`` description features for ``units``, and content features for every k of the k
sweep. Writes ``OUT/results.json``, the tables to ``--doc`` and the k / alpha plots next to it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import methodtable  # noqa: E402
from benchmarks.activitynet import adapters, cimstudy, data, run, zeroshot  # noqa: E402


@dataclass(frozen=True)
class MethodsConfig:
    """Settings (argparse ``dest`` names equal the field names).

    Attributes:
        data_dir: The ``activitynet_captions`` directory; empty finds it as ``benchmarks.activitynet.run`` does.
        bench_dir: ``benchmarks.activitynet.run``'s output directory, whose build and caches are reused.
        out_dir: Where ``results.json`` goes.
        doc: Markdown file receiving the tables (rewritten); the plots go beside it. Empty skips.
        full: 10 splits x 3 seeds for the table and the study and the whole k sweep (``cimstudy.KS``), whatever
            the quick settings below say; a value given for one of those that differs is refused.
        splits: Splits of the methods table.
        seeds: Seeds per split of the methods table.
        study_splits: Splits of the CIM study (the table's first ones).
        study_seeds: Seeds per split of the CIM study.
        epochs: Training epochs of every gradient-trained method.
        batch_size: Batch size of every gradient-trained method.
        k: Descriptions averaged into the content feature.
        unit_k: Descriptions kept as units per class by ``units``.
        ks: Comma-separated k values of the k sweep (the paper's Fig. 9 uses 1, 10, 50, 100, 200).
        workers: Forked processes training runs in parallel.
        table_from: A ``table.json`` of an earlier run with the same settings: its methods table is reused and
            only the study runs (for time-boxed runs on a busy machine).
    """

    data_dir: str = ""
    bench_dir: str = "out/bench-anet"
    out_dir: str = "out/bench-methods"
    doc: str = "docs/benchmarks/methods.md"
    full: bool = False
    splits: int = 10
    seeds: int = 1
    study_splits: int = 10
    study_seeds: int = 1
    epochs: int = 15
    batch_size: int = 512
    k: int = 100
    unit_k: int = 16
    ks: str = ",".join(str(k) for k in cimstudy.KS)
    workers: int = 1
    table_from: str = ""

    def __post_init__(self) -> None:
        if min(self.splits, self.seeds, self.study_splits, self.study_seeds, self.epochs, self.batch_size, self.k,
               self.unit_k, self.workers) < 1:
            raise ValueError("counts must be >= 1")
        if self.study_splits > self.splits or self.study_seeds > self.seeds:
            raise ValueError("the study reuses the table's runs: study_splits/seeds must not exceed splits/seeds")

    @classmethod
    def from_values(cls, values: dict) -> MethodsConfig:
        """A config from parsed values; with ``full``, :data:`FULL` replaces the quick settings (10 splits x 3
        seeds for the table and the study, k = 1..200), and a value given for one of them that differs is refused."""
        if not values.get("full"):
            return cls(**values)
        quick = cls()
        given = [k for k, v in FULL.items() if values.get(k, v) not in (v, getattr(quick, k))]
        if given:
            raise ValueError(f"--full sets {', '.join(f'{k}={FULL[k]}' for k in given)}; "
                             f"drop {', '.join('--' + k.replace('_', '-') for k in given)} or --full")
        return cls(**(values | FULL))

    def planned_runs(self) -> int:
        """Trainings of the table (unless reused from ``table_from``) and the study."""
        ks = {int(k) for k in self.ks.split(",")} | {self.k}
        table = 0 if self.table_from else len(methodtable.STANDARD) * self.splits * self.seeds
        return table + cimstudy.planned_runs(sorted(ks), self.study_splits, self.study_seeds)


# What --full means: the 10 splits x 3 seeds for the table and the study, and the paper's k sweep (Fig. 9).
FULL = {"splits": 10, "seeds": 3, "study_splits": 10, "study_seeds": 3, "ks": ",".join(str(k) for k in cimstudy.KS)}

HELP = {
    "data_dir": "the activitynet_captions directory (default: found as benchmarks.activitynet.run finds it)",
    "bench_dir": "benchmarks.activitynet.run's output directory, whose build and caches are reused",
    "out_dir": "where table.json and results.json go",
    "doc": "markdown file receiving the tables (rewritten), plots beside it; empty: none",
    "full": "10 splits x 3 seeds for the table and the study, k sweep 1,10,50,100,200 (the integrator's run)",
    "splits": "splits of the methods table", "seeds": "seeds per split of the methods table",
    "study_splits": "splits of the CIM study (the table's first)", "study_seeds": "seeds per split of the study",
    "epochs": "epochs of every gradient-trained method", "batch_size": "batch size of every gradient-trained method",
    "k": "descriptions averaged into the content feature", "unit_k": "descriptions kept as units by units",
    "ks": "k values of the k sweep, comma-separated", "workers": "forked processes training in parallel",
    "table_from": "table.json of an earlier run with the same settings: reuse its table, run only the study",
}


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The module docstring as written, and each option's default."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.activitynet.methods", description=__doc__,
                                     formatter_class=_Formatter)
    for f in fields(MethodsConfig):
        if isinstance(f.default, bool):
            parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, action="store_true", help=HELP[f.name])
        else:
            parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, type=type(f.default), default=f.default,
                                help=HELP[f.name])
    return parser


def prepare(config: MethodsConfig, data_dir: Path, log) -> dict:
    """Class texts (all k, ER's, units), video features and the per-split tasks."""
    from coco.methods.unitdata import unit_texts
    from coco.task import ClassTexts

    bench = run.RunConfig(out_dir=config.bench_dir, doc="", k=config.k)
    cache = Path(config.bench_dir) / "cache"
    train, val = data.load_split(data_dir, "train"), data.load_split(data_dir, "val_1")
    # Only the build's published top-k: run_build also re-ranks it by every scorer (MiniLM: ~40 min cold).
    *_, descriptions, actions = run.built_descriptions(bench, train, Path(config.bench_dir))
    classes = train.classes
    defs = adapters.kinetics_definitions()
    definitions = {c: defs[c.lower()] for c in classes if c.lower() in defs}
    ks = sorted({int(k) for k in config.ks.split(",")} | {config.k})
    descs = zeroshot.class_descriptions(descriptions, actions, classes, max(ks))
    log(f"encoding class texts (k up to {max(ks)}; cached under {cache / 'textfeats'})")
    texts_by_k = {k: adapters.class_texts(classes, definitions, descs, cache / "textfeats", k) for k in ks}
    base = texts_by_k[config.k]
    ed = {c: f"{c}: {definitions[c]}" if c in definitions else c for c in classes}  # ER's name + definition
    er = adapters.class_texts(classes, ed, descs, cache / "textfeats", config.k)
    texts = unit_texts(base, descs, config.unit_k, cache_dir=cache / "textfeats")
    texts_by_k = {k: unit_texts(t, descs, config.unit_k, cache_dir=cache / "textfeats") for k, t in texts_by_k.items()}
    train_x, val_x = run.video_features(bench, train, val, cache)
    index = {c: i for i, c in enumerate(classes)}
    videos = {name: zeroshot.Videos(x, np.array([index[v.label] for v in s.videos]),
                                    tuple(v.video_id for v in s.videos))
              for name, x, s in (("train", train_x, train), ("val", val_x, val))}
    tasks = []
    for i, (seen, unseen) in enumerate(zeroshot.class_splits(len(classes), config.splits, bench.seed)):
        tasks.append(adapters.make_task(f"activitynet-captions/{i}", [classes[j] for j in seen],
                                        [classes[j] for j in unseen], texts, videos["train"].of(seen),
                                        videos["val"].of(unseen), classes))
    er_texts = ClassTexts(er.names, er.definition, base.content)
    return {"tasks": tasks, "texts_by_k": texts_by_k, "er": er_texts, "classes": len(classes),
            "definitions": len(definitions)}


def render(results: dict) -> str:
    """The markdown of the methods table and the study."""
    meta, table = results["meta"], results["table"]
    lines = [f"Run on {meta['date']} with `{meta['command']}` ({meta['mode']}) on {meta['machine']}; "
             f"{meta['seconds']} s.", "",
             f"### Methods ({table['splits']} splits x {table['seeds']} seeds; 100-way unseen top-1/top-5, "
             "mean ± std over splits; paired difference to AD+VC over split x seed pairs)", "",
             methodtable.markdown(table["summary"], chance=1.0), ""]
    study = results.get("study")
    if not study:
        return "\n".join(lines)
    lines += [f"### CIM study ({study['splits']} splits x {study['seeds']} seeds)", "",
              "| setting | top-1 (%) | top-1 - AD+VC (95% interval) | better pairs |", "|---|---|---|---|"]
    for key in ("gamma", "cim_tau"):
        for label, s in study[key].items():
            d = s["vs_base"]
            lines.append(f"| AD+VC+CIM {label} | {s['top1']['mean']:.1f} ± {s['top1']['std']:.1f} | "
                         f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] | {d['better']}/{d['pairs']} |")
    lines += ["", "CIM's class texts (80 seen / 20 validation / 100 test classes):", "",
              methodtable.markdown(study["cim_classes"]), ""]
    for key in ("k", "alpha"):
        lines += [f"{key} sweep (figure `methods_{key}.png`): AD+VC+CIM - AD+VC at each {key}:", "",
                  f"| {key} | AD+VC top-1 | AD+VC+CIM top-1 | difference (95% interval) | better pairs |",
                  "|---|---|---|---|---|"]
        for v, s in study[key].items():
            d = s["AD+VC+CIM"]["vs_base"]
            lines.append(f"| {v} | {s['AD+VC']['top1']['mean']:.1f} ± {s['AD+VC']['top1']['std']:.1f} | "
                         f"{s['AD+VC+CIM']['top1']['mean']:.1f} ± {s['AD+VC+CIM']['top1']['std']:.1f} | "
                         f"{d['mean']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] | {d['better']}/{d['pairs']} |")
        lines.append("")
    ev = study["evidence"]
    lines += ["CIM attention of the trained AD+VC+CIM models (one per split, seed 0):", "",
              f"- attention entropy over the {ev[0]['unseen_classes']} unseen classes: "
              f"{np.mean([e['entropy_mean'] for e in ev]):.2f} nats on average (uniform: {ev[0]['log_u']:.2f}); "
              f"largest weight {np.mean([e['max_weight_mean'] for e in ev]):.3f} on average",
              f"- cycle back to the seen classes (Eq. 12): weight on the starting class "
              f"{np.mean([e['cycle_self_weight_mean'] for e in ev]):.3f} on average",
              "- cosine of each seen class to its nearest unseen class: "
              f"{np.mean([e['nearest_cos_mean'] for e in ev]):.3f} on average", "",
              "Split 0, seen class -> nearest unseen class (cosine, attention weight):", ""]
    lines += [f"- {s} -> {u} ({c:.3f}, {w:.3f})" for s, u, c, w in ev[0]["nearest_examples"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        config = MethodsConfig.from_values(vars(parser.parse_args(argv)))
    except ValueError as exc:
        parser.error(str(exc))
    data_dir = Path(config.data_dir) if config.data_dir else data.find_data_dir()
    if data_dir is None or not data_dir.is_dir():
        print("ActivityNet Captions not found; skipping the methods benchmark.")
        return 0
    started = time.perf_counter()
    log = run._log
    prep = prepare(config, data_dir, log)
    import torch

    torch.set_num_threads(1)
    tasks, seeds = prep["tasks"], list(range(config.seeds))
    progress = methodtable.Progress(config.planned_runs(), log)
    log(f"== {progress.total} trainings planned ({'full' if config.full else 'quick'}: table {config.splits} splits x "
        f"{config.seeds} seeds, study {config.study_splits} x {config.study_seeds}, k {config.ks}); "
        f"{config.workers} worker(s)")
    if config.table_from:
        earlier = json.loads(Path(config.table_from).read_text(encoding="utf-8"))
        main_runs = earlier["table"]["runs"]
        log(f"== methods table: reused from {config.table_from} (command: {earlier.get('command', '?')})")
    else:
        log(f"== methods table: {len(tasks)} splits x {len(seeds)} seeds")
        rows = methodtable.standard_rows(config.epochs, config.batch_size, {"ER (AD only)": prep["er"]})
        main_runs = methodtable.run_rows(rows, tasks, seeds, config.workers, log, progress)
    results: dict = {"config": asdict(config), "command": "python -m benchmarks.activitynet.methods "
                     + " ".join(argv or sys.argv[1:]),
                     "table": {"splits": len(tasks), "seeds": len(seeds), "runs": main_runs,
                               "summary": methodtable.summarize(main_runs)}}
    print(methodtable.markdown(results["table"]["summary"], chance=1.0), flush=True)
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "table.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    study_seeds = list(range(config.study_seeds))
    study = cimstudy.run_study(tasks[:config.study_splits], prep["texts_by_k"], study_seeds, main_runs, config.epochs,
                               config.batch_size, config.workers, log, progress)
    results["study"] = study | {"splits": config.study_splits, "seeds": len(study_seeds)}
    results["meta"] = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                       "command": "python -m benchmarks.activitynet.methods " + " ".join(argv or sys.argv[1:]),
                       "mode": "full" if config.full else "quick", "seconds": round(time.perf_counter() - started),
                       "machine": f"{platform.machine()} Linux, {os.cpu_count()} CPU cores (shared), "
                                  f"Python {platform.python_version()}",
                       "classes_with_er_definition": prep["definitions"]}
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    text = render(results)
    print(text, flush=True)
    if config.doc:
        doc = Path(config.doc)
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_text("# Methods and the CIM study on the ActivityNet proxy (generated)\n\n"
                       "Generated by `benchmarks/activitynet/methods.py`; read in `docs/coco.md`.\n\n" + text)
        for key, xlabel, log_x in (("k", "k (descriptions averaged)", True), ("alpha", "alpha", False)):
            cimstudy.plot(study, key, xlabel, doc.parent / f"methods_{key}.png", log_x)
        (doc.parent / "methods.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    log(f"wrote {out / 'results.json'}" + (f" and {config.doc}" if config.doc else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
