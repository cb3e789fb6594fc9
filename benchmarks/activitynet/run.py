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
from benchmarks.activitynet.metrics import average_precision  # noqa: E402

BUILD_DIR = "actionhub-activitynet"  # the train-corpus build, under the run's out_dir

EXPERIMENTS = ("ranking", "build", "zeroshot")
CASCADE_SHARES = (0.01, 0.02, 0.05, 0.1)


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


def _cached_embedding(cache: Path, sentences: ranking.LabelledSentences, file: str, embedding: str, model: str,
                      embed) -> tuple[np.ndarray, np.ndarray]:
    """(text embeddings (N, d), class-name embeddings (A, d)) of one embedder, cached by its identity and the texts."""
    def both() -> np.ndarray:
        return np.concatenate([embed(sentences.texts), embed(sentences.classes)])
    key = cache_key(embedding=embedding, model=model, texts=text_digest(sentences.texts + sentences.classes))
    emb = cached_array(cache, file, key, both)
    return emb[:len(sentences.texts)], emb[len(sentences.texts):]


def _embeddings(cache: Path, sentences: ranking.LabelledSentences, tag: str) -> dict[str, tuple]:
    """Per library embedding: (text embeddings (N, d), class-name embeddings (A, d)), cached by the exact texts."""
    models = adapters.embedding_identities()
    return {name: _cached_embedding(cache, sentences, f"{tag}embeddings-{name}", name, models[name], embed)
            for name, embed in adapters.embedders().items()}


def _cascade_embeddings(cache: Path, sentences: ranking.LabelledSentences, tag: str,
                        encoder: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM's (text (N, d), class-name (A, d)) embeddings at a default build's precision: the cascade's second
    stage. ``encoder``: the fp32 ones, returned as they are when that is the default."""
    precision = adapters.default_precision()
    if precision == "fp32":
        return encoder
    embed, model = adapters.encoder_at(precision)
    return _cached_embedding(cache, sentences, f"{tag}embeddings-encoder-{precision}", "encoder", model, embed)


def _tune(config: RunConfig, train: data.Split, cache: Path, settings: dict) -> dict:
    """The fusion constants of each embedding chosen on the train captions' sentences (cached grid)."""
    sentences = ranking.LabelledSentences.from_split(train)
    digest = text_digest(sentences.texts + sentences.classes)
    tiebreak = np.random.default_rng(config.seed).permutation(len(sentences.texts))
    bm25 = cached_array(cache, "train-scores-bm25", cache_key(scorer="bm25", texts=digest),
                        lambda: ranking.bm25_scorer(sentences.texts, sentences.classes))
    out, matrices = {}, {}
    for name, (text_emb, name_emb) in _embeddings(cache, sentences, "train-").items():
        key = cache_key(grid=[fusion.TEMPERATURES, fusion.FEEDBACK, fusion.WEIGHTS, fusion.K], texts=digest,
                        seed=config.seed, embedding=name, model=adapters.embedding_identities()[name])
        path = cache / f"fusion-grid-{name}-{key}.json"
        if path.is_file():
            grid = json.loads(path.read_text())
        else:
            _log(f"   tuning the {name} fusion on {len(sentences.texts)} train sentences")
            grid = fusion.grid_map(lambda t, m, b, x=text_emb, q=name_emb: adapters.semantic_matrix(x, q, t, m, b),
                                   bm25, sentences.relevant(), tiebreak, _log)
            path.write_text(json.dumps(grid))
        tuned = fusion.tune(grid)
        lib = settings["constants"][name]
        library = {"temperature": lib["semantic"]["temperature"], "feedback": lib["semantic"]["feedback"],
                   "feedback_weight": lib["semantic"]["feedback_weight"], "weight": lib["weight"], "k": lib["k"]}
        chosen = {key: tuned[key] for key in library}
        matrices[name] = (text_emb, name_emb, tuned)
        out[name] = {"on": f"train captions ({len(sentences.texts)} sentences)", "chosen": chosen,
                     "train_map": tuned["map"], "library": library, "library_matches_tuning": chosen == library,
                     "library_train_map": grid.get(fusion.label(**{k: library[k] for k in
                                                                   ("temperature", "feedback", "weight", "k")},
                                                                beta=library["feedback_weight"])),
                     "grid": grid}
    # The cascade's share trades MiniLM time for quality: its curve on the train sentences, at the library constants.
    site = fusion.site_ranks(bm25, tiebreak)
    first = adapters.fusion_matrix("static", *matrices["static"][:2], site, tiebreak)
    second = _cascade_embeddings(cache, sentences, "train-", matrices["encoder"][:2])
    out["cascade_share_train_map"] = {
        f"{share:g}": float(np.nanmean(average_precision(adapters.cascade_matrix(
            first, *second, site, tiebreak, share), sentences.relevant(), tiebreak)))
        for share in CASCADE_SHARES}
    return out


def run_ranking(config: RunConfig, train: data.Split, val: data.Split, cache: Path) -> dict:
    """Experiment 1: every signal alone, the calibrated semantic scores, and the fusions (the default's formula)."""
    sentences = ranking.LabelledSentences.from_split(val)
    settings = adapters.fusion_settings()
    emb = _embeddings(cache, sentences, "")
    tie = np.random.default_rng(config.seed).permutation(len(sentences.texts))
    digest = text_digest(sentences.texts + sentences.classes)
    bm25 = cached_array(cache, "scores-bm25", cache_key(scorer="bm25", texts=digest),
                        lambda: ranking.bm25_scorer(sentences.texts, sentences.classes))
    site = fusion.site_ranks(bm25, tie)
    lib = settings["constants"]

    def semantic(name: str) -> np.ndarray:
        s = lib[name]["semantic"]
        return adapters.semantic_matrix(*emb[name], s["temperature"], s["feedback"], s["feedback_weight"])

    def fused(name: str, t: np.ndarray | slice = slice(None), site_ranks: np.ndarray = site,
              tiebreak: np.ndarray = tie) -> np.ndarray:
        return adapters.fusion_matrix(name, emb[name][0][t], emb[name][1], site_ranks, tiebreak)

    precision = adapters.default_precision()
    second = _cascade_embeddings(cache, sentences, "", emb["encoder"])

    def cascade(t: np.ndarray | slice = slice(None), site_ranks: np.ndarray = site, tiebreak: np.ndarray = tie,
                encoder: tuple[np.ndarray, np.ndarray] = second):
        return adapters.cascade_matrix(fused("static", t, site_ranks, tiebreak), encoder[0][t], encoder[1],
                                       site_ranks, tiebreak)

    default_row = (f"fusion-cascade: the default (fusion, top {adapters.cascade_share():.0%} re-ranked by "
                   f"fusion-encoder, MiniLM {precision})")
    fp32_row = {} if precision == "fp32" else {
        "fusion-cascade, MiniLM fp32": lambda *_: cascade(encoder=emb["encoder"])}
    scorers = {"word-vectors": adapters.word_vector_matrix,
               **{name: (lambda *_, x=x, q=q: q @ x.T) for name, (x, q) in emb.items()},
               "bm25": lambda *_: bm25,
               **{f"{name}, calibrated + feedback": (lambda *_, n=name: semantic(n)) for name in emb},
               "fusion (static + bm25)": lambda *_: fused("static"),
               "fusion-encoder (encoder + bm25)": lambda *_: fused("encoder"),
               default_row: lambda *_: cascade(), **fp32_row,
               "previous default: raw static cosine + bm25": lambda *_: fusion.fuse(
                   fusion.row_ranks(emb["static"][1] @ emb["static"][0].T, tie), site, **fusion.PREVIOUS)}
    matrices: dict[str, np.ndarray] = {}
    results = ranking.evaluate_scorers(sentences, scorers, None, config.seed, keep=matrices)
    # The matrix routes must agree with the registry's own pair scorers (cosines) and scorers of whole tables.
    checks = {name: adapters.check_against_registry(name, matrices[name], sentences.texts, sentences.classes)
              for name in ("word-vectors", *emb) if name in matrices}
    routes = {"fusion": lambda t, s: fused("static", t, s, np.arange(len(t))),
              "fusion-encoder": lambda t, s: fused("encoder", t, s, np.arange(len(t))),
              "fusion-cascade": lambda t, s: cascade(t, s, np.arange(len(t)))}
    fusion_checks = {name: adapters.check_scorer_against_registry(
        name, route, bm25, sentences.texts, sentences.classes,
        precision=precision if name == "fusion-cascade" else "fp32") for name, route in routes.items()}
    tuning = _tune(config, train, cache, settings)
    out = {"sentences": len(sentences.texts), "videos": len(val.videos), "registry_max_abs_diff": checks,
           "fusion_registry_max_rank_diff": fusion_checks, "scorers": results,
           "fusion_tuning": tuning, "cascade_share_train_map": tuning.pop("cascade_share_train_map"),
           "default_scorer": settings["default_scorer"], "default_scorer_row": default_row,
           "default_encoder_precision": precision}
    return out


def _raiser(exc: Exception):
    def fail(*_):
        raise exc
    return fail


def built_descriptions(config: RunConfig, train: data.Split, out: Path) -> tuple[Path, dict, list, list]:
    """Builds (or resumes) the train-corpus dataset; returns (dataset dir, stages, description rows, action rows)."""
    corpus = corpusbuild.write_corpus(train, out / "cache" / "corpus" / "activitynet_train.jsonl")
    dataset_dir, stages = adapters.build_from_corpus(corpus, out / BUILD_DIR, corpusbuild.SOURCE, config.max_items)
    descriptions, actions = adapters.read_published(dataset_dir, out / "cache" / "hf")
    return dataset_dir, stages, descriptions, actions


def run_build(config: RunConfig, train: data.Split, out: Path) -> tuple[dict, list, list]:
    """Experiment 2: the build, its precision@k and the same candidates re-ranked by every other scorer."""
    dataset_dir, stages, descriptions, actions = built_descriptions(config, train, out)
    build_dir = out / BUILD_DIR
    ks = (10, 50, 100)
    result = corpusbuild.evaluate_build(descriptions, actions, train, ks)
    by_site = corpusbuild.evaluate_build(
        corpusbuild.rerank_by_site(descriptions, adapters.read_site_ranks(build_dir)), actions, train, ks)
    result["site_order_precision"] = {k: by_site[f"precision_at_{k}"] for k in ks}
    result["scorer"] = stages.get("score", {}).get("report", {}).get("scorer") or adapters.fusion_settings()[
        "default_scorer"]
    names = {int(a["action_id"]): a["action"] for a in actions}
    result["rescored_precision"] = {}
    # One canonical order of the candidates, so the cache of a re-scoring survives a change of the published order.
    canonical = sorted(descriptions, key=lambda r: (int(r["action_id"]), r["site_rank"] is None, r["site_rank"] or 0,
                                                    r["description"]))
    precision = adapters.default_precision()  # MiniLM's, as a default build with --scorer NAME would run it
    for scorer in ("word-vectors", "static", "fusion", "fusion-encoder"):  # same candidates, other orders
        try:
            key = cache_key(scorer=scorer, constants=adapters.fusion_settings(),
                            encoder=adapters.encoder_identity(precision),
                            models=adapters.embedding_identities(), texts=text_digest(
                f"{r['action_id']}|{r['site_rank']}|{r['description']}" for r in canonical))
            rows = adapters.rescore(canonical, names, scorer,
                                    lambda compute, s=scorer, k=key: cached_array(out / "cache", f"rescore-{s}", k,
                                                                                  compute), precision)
            again = corpusbuild.evaluate_build(rows, actions, train, ks)
            result["rescored_precision"][scorer] = {k: again[f"precision_at_{k}"] for k in ks}
        except Exception as exc:  # a missing asset loses one row, not the experiment
            result["rescored_precision"][scorer] = {"error": f"{type(exc).__name__}: {exc}"}
    result |= {"ks": list(ks), "dataset": str(dataset_dir), "rescore_encoder_precision": precision,
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
