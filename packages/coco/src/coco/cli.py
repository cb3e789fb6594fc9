"""Command line of coco: ``coco-train``, ``coco-eval`` and ``python -m coco {train,eval,predict}``.

A thin shell: arguments become configs (``dest`` == field name), and one library function runs them.

CPU threads: before torch is imported, the process defaults to passive OpenMP waiting (``OMP_WAIT_POLICY=PASSIVE``;
torch's default spin-waiting made a training epoch 2.9-3.9x slower on a CPU shared with other jobs), and torch
uses ``min(available cores, 8)`` threads (``--threads`` sets it). Both defaults give way to the user's
environment: a set ``OMP_WAIT_POLICY`` or ``OMP_NUM_THREADS`` is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

from coco import __version__
from coco.config import DEVICES, PRECISIONS, PRESETS, PROTOCOLS, DataConfig, TrainConfig
from coco.methods import METHODS

BOOL = argparse.BooleanOptionalAction
MAX_DEFAULT_THREADS = 8  # the model's matrices (512 x 2048) gain little from more threads than this


def add_train_config(p: argparse.ArgumentParser) -> None:
    """Arguments of every :class:`TrainConfig` field (defaults are the dataclass's)."""
    d = TrainConfig()
    g = p.add_argument_group("model and losses (paper defaults)")
    g.add_argument("--embed-dim", dest="embed_dim", type=int, default=d.embed_dim, help="joint space width d")
    g.add_argument("--tau", dest="tau", type=float, default=d.tau, help="contrastive temperature")
    g.add_argument("--alpha", dest="alpha", type=float, default=d.alpha, help="definition vs content weight")
    g.add_argument("--gamma", dest="gamma", type=float, default=d.gamma, help="cycle loss weight")
    g.add_argument("--cim-tau", dest="cim_tau", type=float, default=d.cim_tau, help="CIM attention temperature")
    g.add_argument("--use-definitions", dest="use_definitions", action=BOOL, default=d.use_definitions,
                   help="L^l: align with action definitions (AD)")
    g.add_argument("--use-content", dest="use_content", action=BOOL, default=d.use_content,
                   help="L^c: align with ActionHub content features (VC)")
    g.add_argument("--use-cim", dest="use_cim", action=BOOL, default=d.use_cim,
                   help="L^cycle: cross-action invariance mining (CIM)")
    g.add_argument("--method", dest="method", choices=sorted(METHODS), default=d.method, help="coco or a baseline")
    g = p.add_argument_group("optimisation")
    g.add_argument("--epochs", dest="epochs", type=int, default=d.epochs)
    g.add_argument("--batch-size", dest="batch_size", type=int, default=d.batch_size)
    g.add_argument("--lr", dest="lr", type=float, default=d.lr, help="peak Adam learning rate")
    g.add_argument("--weight-decay", dest="weight_decay", type=float, default=d.weight_decay)
    g.add_argument("--warmup-epochs", dest="warmup_epochs", type=float, default=d.warmup_epochs)
    g.add_argument("--seed", dest="seed", type=int, default=d.seed)
    g = p.add_argument_group("run")
    g.add_argument("--device", dest="device", choices=DEVICES, default=d.device)
    g.add_argument("--precision", dest="precision", choices=PRECISIONS, default=d.precision,
                   help="training arithmetic; auto: bf16 autocast on CUDA, fp32 on CPU (bf16 works on CPU too)")
    g.add_argument("--out-dir", dest="out_dir", default=d.out_dir, help="checkpoints, logs and metrics.json")
    g.add_argument("--resume", dest="resume", action=BOOL, default=d.resume, help="continue the run in out_dir")
    g.add_argument("--overwrite", dest="overwrite", action=BOOL, default=d.overwrite,
                   help="replace the run in out_dir (refused without this or --resume)")
    g.add_argument("--tensorboard", dest="tensorboard", action=BOOL, default=d.tensorboard)
    g.add_argument("--progress", dest="progress", action=BOOL, default=d.progress, help="tqdm progress bars")


def add_data_config(p: argparse.ArgumentParser, from_run: bool = False) -> None:
    """Arguments of every :class:`DataConfig` field (defaults are the dataclass's).

    With ``from_run``, flags not given are absent from the parsed namespace (the data comes from the run).
    """
    d = {f.name: argparse.SUPPRESS if from_run else getattr(DataConfig(), f.name) for f in fields(DataConfig)}
    g = p.add_argument_group("data (default: what the run was trained on)" if from_run else "data")
    g.add_argument("--protocol", dest="protocol", choices=PROTOCOLS, default=d["protocol"],
                   help="synthetic: the SYNTHETIC benchmark (no files needed)")
    g.add_argument("--dataset", dest="dataset", default=d["dataset"], help="kinetics-zsar, ucf101 or hmdb51")
    g.add_argument("--features", dest="features", default=d["features"], help="video features directory")
    g.add_argument("--actionhub", dest="actionhub", default=d["actionhub"], help="ActionHub dataset directory")
    g.add_argument("--encoder", dest="encoder", default=d["encoder"], help="frozen text encoder")
    g.add_argument("--k", dest="k", type=int, default=d["k"], help="top-k descriptions per class")
    g.add_argument("--cache-dir", dest="cache_dir", default=d["cache_dir"], help="text-feature cache")
    g.add_argument("--max-splits", dest="max_splits", type=int, default=d["max_splits"], help="first N splits only")


def config_from(args: argparse.Namespace, cls):
    """The ``cls`` dataclass from the parsed arguments of its fields."""
    return cls(**{f.name: getattr(args, f.name) for f in fields(cls)})


def _print_summary(report: dict, path: Path | None) -> None:
    tag = "SYNTHETIC " if report["synthetic"] else ""
    s = report["summary"]
    print(f"{tag}{report['protocol']}/{report['dataset'] or '-'} over {s['splits']} splits: "
          f"top-1 {s['top1']['mean']:.1f} +- {s['top1']['std']:.1f}, "
          f"top-5 {s['top5']['mean']:.1f} +- {s['top5']['std']:.1f}" + (f"  ({path})" if path else ""))


def _metrics_path(args: argparse.Namespace, out_dir: str | None) -> Path | None:
    if args.metrics:
        return Path(args.metrics)
    return Path(out_dir) / "metrics.json" if out_dir else None


def default_threads() -> int | None:
    """``min(available cores, MAX_DEFAULT_THREADS)``, or None when ``OMP_NUM_THREADS`` is set (torch follows it)."""
    if os.environ.get("OMP_NUM_THREADS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, MAX_DEFAULT_THREADS)


def set_threads(threads: int | None) -> None:
    """Sets torch's intra-op threads (None: :func:`default_threads`)."""
    threads = threads if threads is not None else default_threads()
    if threads is not None:
        import torch

        torch.set_num_threads(threads)


def run_train(args: argparse.Namespace) -> int:
    from coco.experiment import run_training, write_report

    report = run_training(config_from(args, TrainConfig), config_from(args, DataConfig))
    path = _metrics_path(args, args.out_dir)
    if path:
        write_report(report, path)
    _print_summary(report, path)
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from coco.experiment import run_evaluation, write_report

    given = {f.name: getattr(args, f.name) for f in fields(DataConfig) if hasattr(args, f.name)}
    data = None
    if given:
        from dataclasses import replace

        from coco.experiment import stored_data

        data = replace(stored_data(args.out_dir), **given)
    report = run_evaluation(args.out_dir, data, args.device)
    path = Path(args.metrics) if args.metrics else Path(args.out_dir) / "eval_metrics.json"
    write_report(report, path)
    _print_summary(report, path)
    return 0


def run_predict(args: argparse.Namespace) -> int:
    if args.video or not args.features:
        from coco.video.cli import run_predict_videos

        return run_predict_videos(args)
    from coco import checkpoint, provenance
    from coco.predict import rank_with_checkpoint
    from coco.real import predict_texts, read_videos

    # Checked before any encoder runs: the class texts and video features must be what the model was trained on.
    checkpoint.check_data(checkpoint.load(args.checkpoint), provenance.prediction_identity(
        args.encoder, args.k, args.actionhub, args.features), where=args.checkpoint)

    names = [n.strip() for n in args.actions.split(",") if n.strip()] if args.actions else []
    if args.actions_file:
        names += [n.strip() for n in Path(args.actions_file).read_text().splitlines() if n.strip()]
    definitions = json.loads(Path(args.definitions).read_text()) if args.definitions else {}
    texts = predict_texts(names, definitions, args.actionhub, args.k, args.encoder, args.cache_dir)
    features, video_ids = read_videos(args.features)
    rankings = rank_with_checkpoint(args.checkpoint, texts, features, video_ids, args.top)
    lines = "".join(json.dumps(r.to_dict()) + "\n" for r in rankings)
    if args.output:
        Path(args.output).write_text(lines)
    else:
        sys.stdout.write(lines)
    return 0


def add_train(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("train", help="train and test on every split of a protocol")
    p.add_argument("--preset", dest="preset", choices=sorted(PRESETS), default="coco",
                   help="paper ablation: sets use_definitions/use_content/use_cim (flags given still win)")
    add_train_config(p)
    add_data_config(p)
    p.add_argument("--metrics", dest="metrics", default=None, help="metrics JSON (default out_dir/metrics.json)")
    p.set_defaults(func=run_train)
    return p


def add_eval(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("eval", help="test the checkpoints of a training run")
    p.add_argument("--out-dir", dest="out_dir", required=True, help="the training run's out_dir")
    p.add_argument("--device", dest="device", choices=DEVICES, default="auto")
    add_data_config(p, from_run=True)
    p.add_argument("--metrics", dest="metrics", default=None, help="default out_dir/eval_metrics.json")
    p.set_defaults(func=run_eval)
    return p


def add_predict(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("predict", help="rank any action names for each video (open vocabulary)")
    p.add_argument("--checkpoint", dest="checkpoint", required=True)
    p.add_argument("--features", dest="features", default=None, help="features directory or an (N, F) .npy")
    p.add_argument("--video", dest="video", action="append", default=[],
                   help="a video file (repeatable): features made with the checkpoint's recipe")
    p.add_argument("--preset", dest="preset", default=None, help="--video: feature preset, when the checkpoint "
                   "records none")
    p.add_argument("--weights", dest="weights", default=None, help="--video: the backbone's weights file")
    p.add_argument("--device", dest="device", default="auto", help="--video: auto, cpu, cuda or cuda:N")
    p.add_argument("--actions", dest="actions", default=None, help="comma-separated action names")
    p.add_argument("--actions-file", dest="actions_file", default=None, help="one action name per line")
    p.add_argument("--definitions", dest="definitions", default=None, help="JSON {action: definition}")
    p.add_argument("--actionhub", dest="actionhub", default=None, help="ActionHub dir for descriptions")
    p.add_argument("--k", dest="k", type=int, default=DataConfig.k)
    p.add_argument("--encoder", dest="encoder", default=DataConfig.encoder)
    p.add_argument("--cache-dir", dest="cache_dir", default=None)
    p.add_argument("--top", dest="top", type=int, default=5)
    p.add_argument("--output", dest="output", default=None, help="JSON lines file (default stdout)")
    p.set_defaults(func=run_predict)
    return p


def add_features(sub) -> argparse.ArgumentParser:
    from coco.video.cli import add_features as add

    return add(sub)


SUBCOMMANDS: dict[str, Callable[..., argparse.ArgumentParser]] = {
    "train": add_train, "eval": add_eval, "predict": add_predict, "features": add_features}


def build_parser(preset: str = "coco") -> argparse.ArgumentParser:
    """Returns the ``python -m coco`` parser; ``preset`` sets the train ablation flags' defaults."""
    from actionhub.clierrors import OneLineParser

    parser = OneLineParser(prog="coco", description="CoCo zero-shot action recognition")
    parser.add_argument("--version", action="version", version=f"coco {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, add in SUBCOMMANDS.items():
        command = add(sub)
        command.add_argument("--threads", dest="threads", type=int, default=None,
                             help=f"torch CPU threads (default min(cores, {MAX_DEFAULT_THREADS}), or OMP_NUM_THREADS)")
        if name == "train":
            command.set_defaults(**PRESETS[preset])
    return parser


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parses ``argv``; for ``train --preset X``, reparses with X's flags as defaults (explicit flags win)."""
    args = build_parser().parse_args(argv)
    if args.command == "train" and args.preset != "coco":
        args = build_parser(args.preset).parse_args(argv)
    return args


def _run(argv: list[str]) -> int:
    args = parse(argv)  # --help and argument errors exit here, before torch is imported
    if "torch" not in sys.modules:  # read once, when torch's OpenMP runtime loads (coco.checkpoint imports torch)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from coco.config import ConfigError
    from coco.protocols import PROTOCOLS as REGISTRY

    known = REGISTRY.get(getattr(args, "protocol", ""), {})
    if known and args.dataset and args.dataset not in known:
        raise ConfigError(f"unknown --dataset {args.dataset!r} for protocol {args.protocol}; choose from "
                          f"{', '.join(sorted(known))}")
    set_threads(args.threads)
    return args.func(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m coco``; returns the exit code (``actionhub.clierrors.run_main``: a mistake is
    one line and exit 2, Ctrl-C exit 130, ``--debug`` shows the traceback). Arguments are parsed before torch
    is imported, so ``--help`` and argument errors answer at once."""
    from actionhub.clierrors import run_main

    return run_main(_run, argv, "coco", known=_known_errors)


def _known_errors() -> tuple[type[BaseException], ...]:
    """coco's errors that mean bad input; imported only once something failed (they import torch)."""
    from actionhub.assets import MissingAssetError
    from coco.checkpoint import CheckpointError
    from coco.config import ConfigError
    from coco.task import TaskError
    from coco.video.backbones import WeightsError

    return ConfigError, TaskError, CheckpointError, MissingAssetError, WeightsError


def train_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coco-train``."""
    return main(["train", *(sys.argv[1:] if argv is None else argv)])


def eval_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``coco-eval``."""
    return main(["eval", *(sys.argv[1:] if argv is None else argv)])

