"""The score stage, streamed: a processed descriptions file through a scorer, a few whole actions at a time.

Every scorer's relevance of a description depends on its own text, on the names of all the build's actions
(calibration) and on the other descriptions *of its own action* (feedback, the site-rank fusion, the cascade's
share, the rank), never on another action's descriptions. So scoring the file in chunks of whole actions gives
exactly what scoring the whole table at once gives, while memory holds one chunk (``chunk_rows`` rows, or one
action when an action alone is larger) instead of every description of the build: flat in the build's size.
The processed file is ordered by ``action_id`` (``actionhub.process``); a file whose actions are not contiguous
is refused rather than scored wrongly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from actionhub import atomic, relevance, schema

# Rows per scored chunk: ~250 bytes of text and ~1 KB of float32 embedding per row while scoring -> ~300 MB.
CHUNK_ROWS = 200_000
# Rows per batch read from the processed file (at most chunk_rows: a chunk then holds under 2 x chunk_rows).
READ_ROWS = 65_536


@dataclass(frozen=True)
class ScoreReport:
    """What the score stage wrote.

    Attributes:
        descriptions: rows scored.
        mean_relevance: their mean relevance (0.0 for none).
        chunks: chunks scored (1 for a build smaller than ``chunk_rows``).
    """

    descriptions: int
    mean_relevance: float
    chunks: int


def action_chunks(batches: Iterable[pa.RecordBatch], chunk_rows: int = CHUNK_ROWS) -> Iterator[pa.Table]:
    """Regroups record batches ordered by ``action_id`` into tables of whole actions.

    No action is split between two tables. Once ``chunk_rows`` rows are pending, the rows before the action
    still open are yielded; so a table holds at most ``chunk_rows`` plus one batch of rows, unless a single
    action is larger (it is yielded whole).

    Raises:
        ValueError: an action's rows are not contiguous (the input is not grouped by ``action_id``).
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    pending: list[pa.RecordBatch] = []
    count = 0
    closed: set[int] = set()  # actions whose rows have ended
    current: int | None = None  # the action of the last row seen (still open)
    for batch in batches:
        ids = np.asarray(batch.column("action_id"))
        if not len(ids):
            continue
        runs = ids[np.r_[True, ids[1:] != ids[:-1]]].tolist()  # the action of each run of rows, in order
        if current is not None and runs[0] == current:
            runs = runs[1:]  # the open action continues into this batch
        if runs and current is not None:
            closed.add(current)
        if len(set(runs)) != len(runs) or closed.intersection(runs):
            raise ValueError("descriptions are not grouped by action_id (the processed file must be ordered by it)")
        closed.update(runs[:-1])
        current = int(ids[-1])
        pending.append(batch)
        count += len(batch)
        if count >= chunk_rows:
            table = pa.Table.from_batches(pending)
            ids = np.asarray(table["action_id"])
            tail = int(np.count_nonzero(ids == ids[-1]))  # rows of the open action (contiguous, checked above)
            cut = count - tail  # rows before the open action
            if cut:
                yield table.slice(0, cut)
                pending = table.slice(cut).to_batches()
                count = tail
    if pending:
        yield pa.Table.from_batches(pending)


def open_streaming(path: Path | str) -> pq.ParquetFile:
    """A Parquet file for one pass of ``iter_batches`` in flat memory.

    pyarrow's default pre-buffering keeps what it has read cached for the life of the iterator (measured with
    pyarrow 26 on a 1.6M-row file: Arrow memory grew 60 -> 209 MB over the pass); without it, and with a 1 MB
    read buffer, the pass stayed at one row group's worth.
    """
    return pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)


def score_file(src: Path, dst: Path, scorer: relevance.Scorer, actions: dict[int, str],
               chunk_rows: int = CHUNK_ROWS) -> ScoreReport:
    """Scores the processed descriptions in ``src`` chunk by chunk into ``dst`` (written atomically).

    Args:
        src: Parquet file of processed descriptions (``actionhub.process.PROCESSED``), ordered by action_id.
        dst: the scored file (``schema.DESCRIPTIONS``: the same rows plus ``relevance`` and ``rank``).
        scorer: a :data:`actionhub.relevance.Scorer`.
        actions: every action of the build, id -> name (the calibration's set, the same for every chunk).
        chunk_rows: rows per chunk (whole actions; see :func:`action_chunks`).
    """
    from actionhub.process import PROCESSED

    source = open_streaming(src)
    rows, total, chunks = 0, 0.0, 0
    with atomic.atomic_open(dst) as fh, pq.ParquetWriter(fh, schema.DESCRIPTIONS, compression="zstd") as writer:
        for chunk in action_chunks(source.iter_batches(batch_size=min(READ_ROWS, chunk_rows)), chunk_rows):
            scored = relevance.score(chunk.select(PROCESSED.names).cast(PROCESSED), scorer, actions)
            writer.write_table(scored)
            rows += scored.num_rows
            total += float(np.asarray(scored["relevance"], dtype=np.float64).sum())
            chunks += 1
    return ScoreReport(descriptions=rows, mean_relevance=total / rows if rows else 0.0, chunks=chunks)
