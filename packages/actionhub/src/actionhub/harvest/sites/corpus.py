"""``corpus``: searches a local caption corpus (CSV, JSON Lines or Parquet with a text column) with BM25.

``base_url`` is the corpus file. It is read and indexed once per process (``bm25s``, Lucene BM25 with
k1=1.5, b=0.75, English stop words removed and Porter stems), shared by every task and thread; each query
is scored once and its ranking served page by page, so 1211 queries over ~40k captions cost one index
build plus one sparse lookup per query. Only captions sharing at least one stem with the query are hits.
Ids should be unique per caption: like any site's repeated item, a repeated id keeps only its best-ranked
caption within a task.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pyarrow as pa

from actionhub.harvest.config import HarvestConfig
from actionhub.harvest.http import PoliteClient
from actionhub.harvest.sites.base import Page, Site, validate

RANKINGS_KEPT = 64  # queries whose full ranking stays cached (a task reads its pages in order)


def read_corpus(path: Path) -> pa.Table:
    """Reads ``.csv``/``.tsv``, ``.jsonl``/``.json`` (JSON Lines) or ``.parquet`` into an Arrow table."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if suffix in (".csv", ".tsv"):
        import pyarrow.csv as pcsv

        return pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ","))
    if suffix in (".jsonl", ".json", ".ndjson"):
        import pyarrow.json as pjson

        return pjson.read_json(path)
    raise ValueError(f"corpus {path}: expected .csv, .tsv, .jsonl or .parquet")


@functools.cache
def _porter():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _porter().stem(word)


class CorpusIndex:
    """A BM25 index over one caption file.

    Args:
        path: The corpus file.
        text_column: Column holding captions.
        id_column: Column holding asset ids; empty uses ``id`` if present, else the row number.
    """

    def __init__(self, path: Path, text_column: str, id_column: str = "") -> None:
        import bm25s
        from bm25s.tokenization import Tokenizer

        table = read_corpus(path)
        if text_column not in table.column_names:
            raise ValueError(f"corpus {path} has no column {text_column!r} (columns: {table.column_names})")
        id_column = id_column or ("id" if "id" in table.column_names else "")
        self.texts = table.column(text_column).to_pylist()  # as stored: a null or non-text caption is rejected
        texts = [t if isinstance(t, str) else "" for t in self.texts]
        self.ids = ([str(v) for v in table.column(id_column).to_pylist()] if id_column
                    else [str(i) for i in range(len(texts))])
        self._tokenizer = Tokenizer(stopwords="english", stemmer=_stem)
        tokens = self._tokenizer.tokenize(texts, return_as="tuple", show_progress=False)
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.texts)

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (row, score) pairs with a positive score, best first (ties by row order)."""
        with self._lock:  # the tokenizer's vocabulary is shared state
            ids = self._tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)
        if not ids[0] or not len(self):
            return []
        scores = self._bm25.get_scores_from_ids(ids[0])  # (N,) one score per caption
        hits = np.flatnonzero(scores > 0)
        order = hits[np.lexsort((hits, -scores[hits]))][:k]
        return [(int(i), float(scores[i])) for i in order]


_INDEXES: dict[tuple, CorpusIndex] = {}
_INDEXES_LOCK = threading.Lock()


def load_index(path: Path, text_column: str, id_column: str = "") -> CorpusIndex:
    """The index of ``path``, built on first use and shared until the file changes."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, text_column, id_column)
    with _INDEXES_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = CorpusIndex(path, text_column, id_column)
        return _INDEXES[key]


class CaptionCorpus(Site):
    """A local caption file searched like a site: BM25 ranking, served ``per_page`` hits at a time."""

    name = "corpus"

    @classmethod
    def preflight(cls, base_url: str, config: HarvestConfig) -> None:
        if not base_url:
            raise ValueError("site corpus needs --base-url PATH of a caption file (.csv, .jsonl or .parquet)")
        path = Path(base_url.removeprefix("file://"))
        if not path.is_file():
            raise ValueError(f"corpus file {path} does not exist")

    def __init__(self, base_url: str, client: PoliteClient, config: HarvestConfig) -> None:
        super().__init__(base_url, client, config)
        self.preflight(self.base_url, config)
        self.index = load_index(Path(self.base_url.removeprefix("file://")), config.access.text_column,
                                config.access.id_column)
        self._rankings: OrderedDict[str, list[tuple[int, float]]] = OrderedDict()
        self._lock = threading.Lock()

    def _ranking(self, query: str) -> list[tuple[int, float]]:
        with self._lock:
            if query in self._rankings:
                self._rankings.move_to_end(query)
                return self._rankings[query]
        ranking = self.index.rank(query, self.config.limits.max_pages * self.config.limits.per_page)
        with self._lock:
            self._rankings[query] = ranking
            while len(self._rankings) > RANKINGS_KEPT:
                self._rankings.popitem(last=False)
        return ranking

    def search(self, query: str, page: int) -> Page:
        ranking = self._ranking(query)
        start = (page - 1) * self.config.limits.per_page
        rows = ranking[start:start + self.config.limits.per_page]
        items, rejected = validate([{"id": self.index.ids[i], "description": self.index.texts[i]} for i, _ in rows])
        return Page(items, has_more=start + self.config.limits.per_page < len(ranking), rejected=rejected)
