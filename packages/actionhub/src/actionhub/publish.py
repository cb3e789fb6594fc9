"""Publishes the dataset as a Hugging Face ``datasets`` directory and loads it back.

Layout of a published directory::

    README.md                                 dataset card; YAML declares configs, data_files and features
    data/<config>/train-00000-of-0000N.parquet one Parquet shard per ``rows_per_shard`` rows
    .actionhub-complete.json                  completion marker with the counts, written last

Configurations: ``descriptions`` (default, schema DESCRIPTIONS), ``sentences`` (SENTENCES) and ``actions``
(the query table, QUERIES); the card's features are derived from those Arrow schemas. The directory is
written beside the target under a temporary name and renamed into place, so a failed or interrupted publish
never leaves a complete-looking dataset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from actionhub import atomic, schema

CONFIGS: dict[str, pa.Schema] = {"descriptions": schema.DESCRIPTIONS, "sentences": schema.SENTENCES,
                                 "actions": schema.QUERIES}
DEFAULT_CONFIG = "descriptions"
MARKER = ".actionhub-complete.json"


class IncompleteDatasetError(RuntimeError):
    """The directory is not a completely published actionhub dataset."""


@dataclass(frozen=True)
class PublishConfig:
    """How to write the dataset directory.

    Attributes:
        rows_per_shard: rows per Parquet file.
        compression: Parquet codec.
        sources: registry names of the class lists the actions come from (for the card).
        sites: footage sites the descriptions come from (for the card).
        scorer: name of the relevance scorer used (for the card).
    """

    rows_per_shard: int = 500_000
    compression: str = "zstd"
    sources: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    scorer: str = "word_vectors"

    def __post_init__(self) -> None:
        if self.rows_per_shard < 1:
            raise ValueError(f"rows_per_shard must be >= 1, got {self.rows_per_shard}")


def data_dir(root: str | Path, config: str) -> Path:
    """The folder of one configuration's Parquet shards in a published directory: ``root/data/<config>``."""
    return Path(root) / "data" / config


def _dataset_info_yaml(tables: dict[str, pa.Table]) -> list[dict]:
    """The card's ``dataset_info`` list (features from the Arrow schemas, split sizes), via datasets' public API."""
    from datasets import DatasetInfo, Features, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    infos = DatasetInfosDict({name: DatasetInfo(
        config_name=name, features=Features.from_arrow_schema(CONFIGS[name]),
        splits=SplitDict({"train": SplitInfo("train", num_bytes=tables[name].nbytes,
                                             num_examples=tables[name].num_rows)})) for name in CONFIGS})
    card = DatasetCardData()
    infos.to_dataset_card_data(card)
    order = list(CONFIGS)
    return sorted(card.to_dict()["dataset_info"], key=lambda info: order.index(info["config_name"]))


def _write_shards(table: pa.Table, folder: Path, config: PublishConfig) -> int:
    folder.mkdir(parents=True)
    n = max(1, -(-table.num_rows // config.rows_per_shard))
    for i in range(n):
        part = table.slice(i * config.rows_per_shard, config.rows_per_shard)
        pq.write_table(part, folder / f"train-{i:05d}-of-{n:05d}.parquet", compression=config.compression)
    return n


def card_text(tables: dict[str, pa.Table], config: PublishConfig) -> str:
    """The README.md dataset card: YAML front matter (configs, features, sizes) and documentation."""
    n = {name: t.num_rows for name, t in tables.items()}
    meta = {
        "pretty_name": "ActionHub-style action video descriptions",
        "language": ["en"],
        "license": "other",
        "task_categories": ["text-classification", "zero-shot-classification"],
        "configs": [{"config_name": name, **({"default": True} if name == DEFAULT_CONFIG else {}),
                     "data_files": [{"split": "train", "path": f"data/{name}/*.parquet"}]} for name in CONFIGS],
        "dataset_info": _dataset_info_yaml(tables),
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    sources = ", ".join(config.sources) or "user-supplied class lists"
    sites = ", ".join(config.sites) or "unspecified"
    return f"""---
{front}---

# ActionHub-style action video descriptions

Descriptions of stock-footage videos, harvested per action and scored for relevance to the action, built
with `actionhub build` after "ActionHub: A Large-scale Action Video Description Dataset for Zero-shot Action
Recognition" (Zhou et al., arXiv 2401.11654).

## Contents

| configuration | rows | one row per |
| --- | --- | --- |
| `descriptions` (default) | {n["descriptions"]} | kept description of one action |
| `sentences` | {n["sentences"]} | sentence of a kept description |
| `actions` | {n["actions"]} | action (deduplicated class names of the source datasets, with their queries) |

```python
from datasets import load_dataset
descriptions = load_dataset("path/to/this/dir", split="train")
sentences = load_dataset("path/to/this/dir", "sentences", split="train")
top5 = descriptions.filter(lambda rank: rank <= 5, input_columns="rank")
```

## Sources

- Actions: class names of {sources}, cleaned into search queries and deduplicated (`actions`).
- Descriptions: the text footage sites show for the videos they return for each query (sites: {sites}).
  A video returned for several queries of one action is stored once, with all those queries.
- Processing: Unicode NFKC, whitespace and control characters, site boilerplate ("stock video", "4K", clip
  ids) removed; exact duplicates (per action, ignoring case) and near duplicates (MinHash/LSH over word
  3-shingles, estimated Jaccard >= 0.8 by default) removed; sentences split with an abbreviation-aware
  splitter.

## Scoring

`relevance` (scorer `{config.scorer}`): cosine between the mean word vector of the description and the mean
word vector of the action name (GloVe 6B 50-d by default; stop words and out-of-vocabulary words skipped; a
text with no known word scores 0). `rank` is the position of the description within its action by
relevance, 1 = most relevant (ties by `description_id`); the top-k descriptions of each action are
`rank <= k`.

## Licence caveats

The descriptions are text written by footage sites and their contributors and remain theirs: their terms of
use apply, and they usually forbid redistribution or use beyond search. This directory is meant for research
use by those who built it; check the sites' terms before sharing it. Video ids refer to the sites' catalogues;
no video is included. The code that built it is Apache-2.0; that licence does not extend to the text.
"""


def publish(tables: dict[str, pa.Table], out: Path, config: PublishConfig = PublishConfig()) -> dict[str, int]:
    """Writes the dataset directory atomically; returns the number of rows per configuration.

    Args:
        tables: ``descriptions``, ``sentences`` and ``actions`` tables (cast to their schemas here).
        out: target directory; an existing dataset there is replaced only once the new one is complete.
        config: writing options and card details.
    """
    missing = set(CONFIGS) - set(tables)
    if missing:
        raise ValueError(f"missing tables: {sorted(missing)}")
    tables = {name: tables[name].select(CONFIGS[name].names).cast(CONFIGS[name]) for name in CONFIGS}
    out = Path(out)
    with atomic.atomic_dir(out) as tmp:
        shards = {name: _write_shards(t, data_dir(tmp, name), config) for name, t in tables.items()}
        (tmp / "README.md").write_text(card_text(tables, config), encoding="utf-8")
        counts = {name: t.num_rows for name, t in tables.items()}
        (tmp / MARKER).write_text(json.dumps({"rows": counts, "shards": shards}, indent=2))
    return counts


def is_complete(path: Path) -> bool:
    """True when ``path`` holds a completely published dataset."""
    return (Path(path) / MARKER).is_file()


def load(path: str | Path, config: str = DEFAULT_CONFIG, top_k: int | None = None, **kwargs):
    """Loads one configuration of a published directory with ``datasets.load_dataset`` (split ``train``).

    Args:
        path: the published directory.
        config: ``descriptions``, ``sentences`` or ``actions``.
        top_k: keep only descriptions (or sentences of descriptions) ranked ``<= top_k`` within their action.
        **kwargs: passed to ``load_dataset`` (e.g. ``cache_dir``).

    Returns:
        A memory-mapped ``datasets.Dataset``.
    """
    from datasets import load_dataset

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; choose from {sorted(CONFIGS)}")
    if not is_complete(path):
        raise IncompleteDatasetError(f"{path} is not a completely published actionhub dataset (no {MARKER})")
    ds = load_dataset(str(path), config, split="train", **kwargs)
    if top_k is None or config == "actions":
        return ds
    if config == "descriptions":
        return ds.filter(lambda rank: [r <= top_k for r in rank], input_columns="rank", batched=True)
    top = load(path, "descriptions", top_k, **kwargs)
    keep = set(top["description_id"])
    return ds.filter(lambda ids: [i in keep for i in ids], input_columns="description_id", batched=True)


def push_to_hub(path: str | Path, repo_id: str, private: bool = True, token: str | None = None) -> str:
    """Uploads a published directory to the Hugging Face Hub as a dataset repo; returns its URL."""
    from huggingface_hub import HfApi

    if not is_complete(path):
        raise IncompleteDatasetError(f"{path} is not a completely published actionhub dataset")
    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    api.upload_folder(folder_path=str(path), repo_id=repo_id, repo_type="dataset", ignore_patterns=[MARKER])
    return f"https://huggingface.co/datasets/{repo_id}"
