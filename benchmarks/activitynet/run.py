"""Runs the ActivityNet Captions benchmark: relevance ranking, an ActionHub-style build, CoCo zero-shot proxy.

    python -m benchmarks.activitynet.run            # from the repository root (or: make bench-anet)

Reads ``../shared/reference/captions/activitynet_captions`` (or ``$ACTIONHUB_SHARED``) at run time and exits
0 with a message when it is absent. Writes ``out/bench-anet/results.json`` and the tables of
``docs/benchmarks/activitynet.md``. Encodings are cached under ``out/bench-anet/cache``, so a rerun is fast.
An experiment that fails (e.g. a missing dependency) is recorded as not run with its error; the others run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.activitynet import adapters, corpusbuild, data, fusion, ranking, report, videofeats, zeroshot  # noqa: E402
from benchmarks.activitynet.cache import cache_key, cached_array, text_digest  # noqa: E402

EXPERIMENTS = ("ranking", "build", "zeroshot")


@dataclass(frozen=True)
class RunConfig:
    """Settings of one benchmark run (argparse ``dest`` names equal these field names).

    Attributes:
        data_dir: The ``activitynet_captions`` directory; empty finds it (``$ACTIONHUB_SHARED``, ``../shared``).
        out_dir: Results, caches and the built dataset go here (ignored by git).
        doc: Markdown file whose generated block receives the tables; empty skips it.
        experiments: Comma-separated subset of ranking, build, zeroshot.
        seed: Seeds tie-breaking, splits and training.
        video_encoder: Paragraph encoder of the "video" side: ``lsa`` or ``glove``.
        lsa_dim: Width of the LSA features.
        max_items: Descriptions harvested per query (the ``corpus`` site's limit).
        k: Top descriptions per class for the content feature (the paper's k).
        n_splits: Seen/unseen splits.
        epochs: CoCo epochs per run.
        batch_size: CoCo batch size.
        torch_threads: Intra-op threads of torch while training. 1 by default: CoCo's steps are tiny matrix
            products, and on a shared 2-core machine torch's second spinning thread made them 4-8x slower.
    """

    data_dir: str = ""
    out_dir: str = "out/bench-anet"
    doc: str = "docs/benchmarks/activitynet.md"
    experiments: str = ",".join(EXPERIMENTS)
    seed: int = 0
    video_encoder: str = "lsa"
    lsa_dim: int = 256
    max_items: int = 500
    k: int = 100
    n_splits: int = 10
    epochs: int = 15
    batch_size: int = 512
    torch_threads: int = 1

    def __post_init__(self) -> None:
        unknown = set(self.selected) - set(EXPERIMENTS)
        if unknown:
            raise ValueError(f"unknown experiments {sorted(unknown)}; known: {list(EXPERIMENTS)}")
        if self.video_encoder not in ("lsa", "glove"):
            raise ValueError(f"video_encoder must be lsa or glove, got {self.video_encoder!r}")
        if min(self.lsa_dim, self.max_items, self.k, self.n_splits, self.epochs, self.batch_size,
               self.torch_threads) < 1:
            raise ValueError("lsa_dim, max_items, k, n_splits, epochs, batch_size and torch_threads must be >= 1")

    @property
    def selected(self) -> tuple[str, ...]:
        return tuple(e.strip() for e in self.experiments.split(",") if e.strip())


def build_parser() -> argparse.ArgumentParser:
    """One option per :class:`RunConfig` field, defaults taken from the dataclass."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.activitynet.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(RunConfig):
        parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, type=type(f.default), default=f.default)
    return parser


def run_ranking(config: RunConfig, train: data.Split, val: data.Split, cache: Path) -> dict:
    sentences = ranking.LabelledSentences.from_split(val)
    try:
        scorers = adapters.relevance_scorers()
        settings = adapters.fusion_settings()
    except Exception as exc:  # actionhub.relevance missing: BM25 still runs
        scorers, settings = {n: _raiser(exc) for n in ("word-vectors", "static", "encoder")}, None
    scorers["bm25"] = ranking.bm25_scorer

    def check(name: str, scores: np.ndarray) -> float | None:
        # The matrix fast path must agree with the registry's own pair scorer (None: not a registry scorer).
        if name == "bm25":
            return None
        return adapters.check_against_registry(name, scores, sentences.texts, sentences.classes)

    matrices: dict[str, np.ndarray] = {}
    results = ranking.evaluate_scorers(sentences, scorers, cache, config.seed, check, keep=matrices)
    out = {"sentences": len(sentences.texts), "videos": len(val.videos),
           "registry_max_abs_diff": results.pop("checks", {}), "scorers": results}
    if settings is None or "bm25" not in matrices:
        return out
    # Fusion weights: tuned on the train captions' sentences only; validation uses the library's constants.
    train_sentences = ranking.LabelledSentences.from_split(train)
    digest = text_digest(train_sentences.texts + train_sentences.classes)
    tiebreak = np.random.default_rng(config.seed).permutation(len(train_sentences.texts))
    train_scores = {name: cached_array(cache, f"train-scores-{name}", cache_key(scorer=name, texts=digest),
                                       lambda s=scorers[name]: s(train_sentences.texts, train_sentences.classes))
                    for name in ("static", "bm25")}
    maps = cached_array(cache, "fusion-grid", cache_key(grid=[fusion.WEIGHTS, fusion.KS], texts=digest,
                                                        seed=config.seed),
                        lambda: fusion.grid_map(train_scores["static"], train_scores["bm25"],
                                                train_sentences.relevant(), tiebreak))
    tuned = fusion.tune(maps)
    out["fusion_tuning"] = {"on": f"train captions ({len(train_sentences.texts)} sentences)", "semantic": "static",
                            "site": "bm25", "chosen": {"weight": tuned["weight"], "k": tuned["k"]},
                            "train_map": tuned["map"], "grid": tuned["grid"],
                            "library": {"weight": settings["weight"], "k": settings["k"]},
                            "library_matches_tuning": (settings["weight"], settings["k"]) == (tuned["weight"],
                                                                                               tuned["k"])}
    val_tie = np.random.default_rng(config.seed).permutation(len(sentences.texts))
    site = fusion.site_ranks(matrices["bm25"], val_tie)
    fused = {f"fusion ({name} + bm25)": (lambda *_, m=matrices[name]: fusion.fuse(
        fusion.row_ranks(m, val_tie), site, settings["weight"], settings["k"])) for name in ("static", "encoder")
        if name in matrices}
    out["scorers"] |= {k: v for k, v in ranking.evaluate_scorers(sentences, fused, None, config.seed).items()
                       if k != "chance"}
    out["default_scorer"] = settings["default_scorer"]
    out["default_scorer_row"] = "fusion (static + bm25)"  # what `fusion` is in this experiment: BM25 is the site
    return out


def _raiser(exc: Exception):
    def fail(*_):
        raise exc
    return fail


def run_build(config: RunConfig, train: data.Split, out: Path) -> tuple[dict, list, list]:
    corpus = corpusbuild.write_corpus(train, out / "cache" / "corpus" / "activitynet_train.jsonl")
    build_dir = out / "actionhub-activitynet"
    dataset_dir, stages = adapters.build_from_corpus(corpus, build_dir, corpusbuild.SOURCE, config.max_items)
    descriptions, actions = adapters.read_published(dataset_dir, out / "cache" / "hf")
    ks = (10, 50, 100)
    result = corpusbuild.evaluate_build(descriptions, actions, train, ks)
    by_site = corpusbuild.evaluate_build(
        corpusbuild.rerank_by_site(descriptions, adapters.read_site_ranks(build_dir)), actions, train, ks)
    result["site_order_precision"] = {k: by_site[f"precision_at_{k}"] for k in ks}
    result["scorer"] = stages.get("score", {}).get("report", {}).get("scorer") or adapters.fusion_settings()[
        "default_scorer"]
    names = {int(a["action_id"]): a["action"] for a in actions}
    result["rescored_precision"] = {}
    for scorer in ("word-vectors", "static"):  # the same published candidates in each scorer's order
        try:
            again = corpusbuild.evaluate_build(adapters.rescore(descriptions, names, scorer), actions, train, ks)
            result["rescored_precision"][scorer] = {k: again[f"precision_at_{k}"] for k in ks}
        except Exception as exc:  # a missing asset loses one row, not the experiment
            result["rescored_precision"][scorer] = {"error": f"{type(exc).__name__}: {exc}"}
    result |= {"ks": list(ks), "dataset": str(dataset_dir),
               "stages": {name: {"state": st["state"], "seconds": round(st["seconds"], 1), "report": st["report"]}
                          for name, st in stages.items()}}
    return result, descriptions, actions


def video_features(config: RunConfig, train: data.Split, val: data.Split, cache: Path) -> tuple:
    train_docs, val_docs = [v.paragraph for v in train.videos], [v.paragraph for v in val.videos]
    key = cache_key(encoder=config.video_encoder, dim=config.lsa_dim, seed=config.seed,
                    train=text_digest(train_docs), val=text_digest(val_docs))

    def compute():
        if config.video_encoder == "lsa":
            lsa = videofeats.Lsa(videofeats.LsaConfig(dim=config.lsa_dim, seed=config.seed), train_docs)
            return lsa.encode(train_docs + val_docs)
        lookup, dim = videofeats.glove_lookup()
        return videofeats.mean_word_vectors(lookup, dim, train_docs + val_docs)

    feats = cached_array(cache, f"video-{config.video_encoder}", key, compute)
    return feats[:len(train_docs)], feats[len(train_docs):]


def run_zeroshot(config: RunConfig, train: data.Split, val: data.Split, descriptions: list, actions: list,
                 cache: Path) -> dict:
    import torch

    classes = train.classes
    index = {c: i for i, c in enumerate(classes)}
    defs = adapters.kinetics_definitions()
    definitions = {c: defs[c.lower()] for c in classes if c.lower() in defs}
    texts = adapters.class_texts(classes, definitions,
                                 zeroshot.class_descriptions(descriptions, actions, classes, config.k),
                                 cache / "textfeats", config.k)
    train_x, val_x = video_features(config, train, val, cache)
    torch.set_num_threads(config.torch_threads)  # after the text encoding, which gains from every core
    videos = {name: zeroshot.Videos(x, np.array([index[v.label] for v in s.videos]),
                                    tuple(v.video_id for v in s.videos))
              for name, x, s in (("train", train_x, train), ("val", val_x, val))}
    zconfig = zeroshot.ZeroShotConfig(n_splits=config.n_splits, seed=config.seed, epochs=config.epochs,
                                      batch_size=config.batch_size)
    result = zeroshot.run(zconfig, classes, texts, videos["train"], videos["val"], log=_log)
    settings = (f"video encoder {config.video_encoder}" + (f" ({config.lsa_dim}-d)" if config.video_encoder == "lsa"
                                                            else "") +
                f", {config.epochs} epochs, batch {config.batch_size}, k={config.k}, "
                f"{len(definitions)} classes with an ER definition (others: the class name)")
    return result | {"unseen_classes": len(classes) - len(classes) // 2, "settings": settings,
                     "classes_with_definition": sorted(definitions)}


def _code_origin() -> dict:
    """The commit of the repository and where actionhub and coco were imported from (for the record)."""
    import subprocess

    origin = {}
    try:
        origin["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                          cwd=data.REPO_ROOT, timeout=10).stdout.strip()
    except OSError:
        origin["commit"] = ""
    for module in ("actionhub", "coco"):
        try:
            origin[module] = str(Path(__import__(module).__file__).parent)
        except ImportError:
            origin[module] = "not importable"
    return origin


def _log(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Runs the selected experiments; returns the exit code (0 also when the data is absent)."""
    config = RunConfig(**vars(build_parser().parse_args(argv)))
    data_dir = Path(config.data_dir) if config.data_dir else data.find_data_dir()
    if data_dir is None or not data_dir.is_dir():
        print(f"ActivityNet Captions not found (looked in ${data.ENV_VAR} and ../shared/{data.SUBDIR}); "
              "skipping the benchmark.")
        return 0
    out = Path(config.out_dir)
    cache = out / "cache"
    train, val = data.load_split(data_dir, "train"), data.load_split(data_dir, "val_1")
    _log(f"train: {len(train.videos)} videos ({len(train.dropped_multilabel)} multi-label dropped); "
         f"val_1: {len(val.videos)} ({len(val.dropped_multilabel)} dropped)")
    results: dict = {"config": asdict(config), "data": {
        "train_videos": len(train.videos), "val_1_videos": len(val.videos), "classes": len(train.classes),
        "dropped_multilabel": {"train": list(train.dropped_multilabel), "val_1": list(val.dropped_multilabel)}}}
    seconds: dict[str, float] = {}
    built: tuple[list, list] | None = None
    for name in config.selected:
        _log(f"== {name}")
        start = time.perf_counter()
        try:
            if name == "ranking":
                results[name] = run_ranking(config, train, val, cache)
            elif name == "build":
                results[name], *rows = run_build(config, train, out)
                built = (rows[0], rows[1])
            elif built is None:
                results[name] = {"error": "needs the descriptions of the build experiment, which did not run"}
            else:
                results[name] = run_zeroshot(config, train, val, *built, cache)
        except Exception as exc:  # one experiment's failure is recorded; the others still run
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        seconds[name] = round(time.perf_counter() - start, 1)
        _log(f"   {name}: {seconds[name]} s")
    results["meta"] = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                       "command": "python -m benchmarks.activitynet.run " + " ".join(argv or sys.argv[1:]),
                       "machine": f"{platform.machine()} Linux, {os.cpu_count()} CPU cores, Python "
                                  f"{platform.python_version()}", "seconds": seconds, "code": _code_origin()}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    if config.doc:
        report.write_doc(Path(config.doc), results)
    _log(f"wrote {out / 'results.json'}" + (f" and {config.doc}" if config.doc else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
