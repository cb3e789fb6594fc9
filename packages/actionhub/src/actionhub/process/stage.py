"""The processing stage in one function: read done shards, merge, normalize, deduplicate, split sentences.

Removal reasons counted in :class:`ProcessReport.removed`: ``unknown_action`` (an action_id missing from the
query table), ``empty`` (nothing left after markup stripping and normalization), ``too_long`` (longer than
``max_chars`` with no sentence end to cut at, see :mod:`actionhub.process.markup`), ``exact_duplicate`` and
``near_duplicate`` (see :mod:`actionhub.process.dedup`), ``no_sentence`` (no sentence with a letter or digit).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from actionhub import schema
from actionhub.process import clean, dedup, markup, sentences, shards
from actionhub.process.dedup import DedupConfig

# The `descriptions` configuration before scoring: every column but relevance and rank.
PROCESSED = pa.schema([f for f in schema.DESCRIPTIONS if f.name not in ("relevance", "rank")])


@dataclass(frozen=True)
class ProcessConfig:
    """Processing parameters.

    Attributes:
        near_dedup: run MinHash/LSH near-duplicate removal (exact duplicates are always removed).
        dedup: MinHash/LSH parameters.
        max_chars: longest description kept, in characters; longer ones are cut at a sentence end or dropped.
    """

    near_dedup: bool = True
    dedup: DedupConfig = field(default_factory=DedupConfig)
    max_chars: int = markup.MAX_CHARS

    def __post_init__(self) -> None:
        if self.max_chars <= 0:
            raise ValueError(f"max_chars must be > 0, got {self.max_chars}")


@dataclass
class ProcessReport:
    """Counts of one processing run; ``removed`` maps a reason to the number of records it removed.

    ``markup_stripped`` counts texts that held markup or entities; ``truncated`` those cut at a sentence end.
    """

    shards: shards.ShardReport
    removed: dict[str, int] = field(default_factory=dict)
    markup_stripped: int = 0
    truncated: int = 0
    descriptions: int = 0
    sentences: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _drop(table: pa.Table, mask: np.ndarray, reason: str, report: ProcessReport) -> pa.Table:
    report.removed[reason] = int(mask.sum())
    return table.filter(pa.array(~mask))


def process(harvest_dir: Path, queries: pa.Table, config: ProcessConfig = ProcessConfig()
            ) -> tuple[pa.Table, pa.Table, ProcessReport]:
    """Turns the done shards of a harvest directory into descriptions and sentences.

    Args:
        harvest_dir: directory with ``raw/<site>/*.parquet`` and ``stats/<site>/*.json``.
        queries: the query table (schema QUERIES); gives each action_id its readable name.
        config: processing parameters.

    Returns:
        (descriptions with schema PROCESSED, sentences with schema SENTENCES, report). Descriptions are
        ordered by action_id, then by the site's ranking.
    """
    raw, shard_report = shards.read_shards(shards.done_shards(harvest_dir), harvest_dir)
    report = ProcessReport(shards=shard_report)
    merged = shards.merge_rows(raw, shard_report)

    known = pc.is_in(merged["action_id"], value_set=queries["action_id"])
    merged = _drop(merged, ~np.asarray(known, dtype=bool), "unknown_action", report)
    text, report.markup_stripped = markup.strip_markup(merged["description"].combine_chunks())
    merged = _set_description(merged, clean.clean_column(text))
    merged = _drop(merged, np.asarray(pc.equal(pc.utf8_length(merged["description"]), 0)), "empty", report)
    text, truncated, too_long = markup.cap_length(merged["description"].combine_chunks(), config.max_chars)
    report.truncated = int(truncated.sum())
    merged = _drop(_set_description(merged, text), too_long, "too_long", report)
    groups = np.asarray(merged["action_id"])
    merged = _drop(merged, dedup.exact_duplicates(groups, merged["description"]), "exact_duplicate", report)
    near = np.zeros(merged.num_rows, dtype=bool)
    if config.near_dedup and merged.num_rows:
        signatures = dedup.minhash_signatures(merged["description"], config.dedup)
        near = dedup.near_duplicates(np.asarray(merged["action_id"]), signatures, config.dedup)
    merged = _drop(merged, near, "near_duplicate", report)

    split, counts = sentences.split_column(merged["description"])
    merged = _drop(merged, counts == 0, "no_sentence", report)
    descriptions = _descriptions(merged, queries, counts[counts > 0])
    sentence_table = _sentences(descriptions, pc.list_flatten(split))
    report.descriptions, report.sentences = descriptions.num_rows, sentence_table.num_rows
    return descriptions, sentence_table, report


def _set_description(table: pa.Table, text: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index("description"), "description", text)


def _descriptions(merged: pa.Table, queries: pa.Table, n_sentences: np.ndarray) -> pa.Table:
    names = queries["action"].take(pc.index_in(merged["action_id"], value_set=queries["action_id"]))
    ids = pc.binary_join_element_wise(merged["site"], merged["asset_id"],
                                      pc.cast(merged["action_id"], pa.string()), ":")
    columns = {"description_id": ids, "action_id": merged["action_id"], "action": names,
               "site": merged["site"], "asset_id": merged["asset_id"], "queries": merged["queries"],
               "description": merged["description"], "keywords": merged["keywords"],
               "n_sentences": pa.array(n_sentences, pa.int32()), "site_rank": merged["best_rank"]}
    return pa.table(columns).cast(PROCESSED)


def _sentences(descriptions: pa.Table, flat: pa.Array) -> pa.Table:
    """One row per sentence; ``flat`` holds the sentences of all descriptions in order."""
    counts = np.asarray(descriptions["n_sentences"], dtype=np.int64)
    parent = pa.array(np.repeat(np.arange(len(counts)), counts))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else np.zeros(0, np.int64)
    index = np.arange(counts.sum()) - np.repeat(starts, counts)
    columns = {"description_id": descriptions["description_id"].take(parent),
               "action_id": descriptions["action_id"].take(parent),
               "action": descriptions["action"].take(parent),
               "sentence_index": pa.array(index, pa.int32()),
               "sentence": flat}
    return pa.table(columns).cast(schema.SENTENCES)
