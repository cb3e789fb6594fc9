"""The on-disk schemas of actionhub, declared once: the query table, raw harvest shards, the published dataset.

Stages write and read Parquet with exactly these Arrow schemas; the dataset card's ``features`` are derived
from the published ones. coco reads the published files through :mod:`actionhub.reader`.
"""

from __future__ import annotations

import pyarrow as pa

ALIAS = pa.struct([
    pa.field("source", pa.string()),  # registry name of the class list, e.g. "kinetics700", or "user"
    pa.field("name", pa.string()),  # class name exactly as the source spells it
    pa.field("query", pa.string()),  # the name cleaned for searching, e.g. "apply eye makeup"
])

# One row per deduplicated action (the dataset's `actions` configuration).
QUERIES = pa.schema([
    pa.field("action_id", pa.int32(), nullable=False),  # 0..N-1 in order of `key`
    pa.field("action", pa.string(), nullable=False),  # readable name: the shortest query of the action
    pa.field("key", pa.string(), nullable=False),  # dedup key: lower case, stop words removed, lemmatized
    pa.field("queries", pa.list_(pa.string()), nullable=False),  # distinct search strings (aliases' queries)
    pa.field("aliases", pa.list_(ALIAS), nullable=False),
    pa.field("sources", pa.list_(pa.string()), nullable=False),  # distinct sources, sorted
])

# One row per item a site returned for one (site, query) task, plus one row per failure.
RAW = pa.schema([
    pa.field("action_id", pa.int32(), nullable=False),
    pa.field("query", pa.string(), nullable=False),
    pa.field("site", pa.string(), nullable=False),
    # The site's id of the video. Failure rows: null for a failed page; for a rejected item (status bad_utf8,
    # missing_field, wrong_type) the item's id when it has one, with its page and the reason in `error`.
    pa.field("asset_id", pa.string()),
    pa.field("description", pa.string()),
    pa.field("keywords", pa.list_(pa.string())),
    pa.field("page", pa.int32()),
    pa.field("rank", pa.int32()),  # 0-based position in the site's ranking for this query
    pa.field("fetched_at", pa.timestamp("s", tz="UTC")),
    pa.field("status", pa.string(), nullable=False),  # "ok" or an error kind, e.g. "http_503", "parse_error"
    pa.field("error", pa.string()),  # message for failure rows, null otherwise
])

# Published `descriptions` configuration: one row per kept description of one action.
DESCRIPTIONS = pa.schema([
    pa.field("description_id", pa.string(), nullable=False),  # stable: "<site>:<asset_id>:<action_id>"
    pa.field("action_id", pa.int32(), nullable=False),
    pa.field("action", pa.string(), nullable=False),
    pa.field("site", pa.string(), nullable=False),
    pa.field("asset_id", pa.string(), nullable=False),
    pa.field("queries", pa.list_(pa.string()), nullable=False),  # every query of the action that returned it
    pa.field("description", pa.string(), nullable=False),
    pa.field("keywords", pa.list_(pa.string())),
    pa.field("n_sentences", pa.int32(), nullable=False),
    pa.field("site_rank", pa.int32()),  # 0-based best position in the site's results over the action's queries
    pa.field("relevance", pa.float32(), nullable=False),  # the named scorer's score (see the card), higher first
    pa.field("rank", pa.int32(), nullable=False),  # 1 = most relevant description of its action
])

# Published `sentences` configuration: one row per sentence of a kept description.
SENTENCES = pa.schema([
    pa.field("description_id", pa.string(), nullable=False),
    pa.field("action_id", pa.int32(), nullable=False),
    pa.field("action", pa.string(), nullable=False),
    pa.field("sentence_index", pa.int32(), nullable=False),
    pa.field("sentence", pa.string(), nullable=False),
])
