"""The query stage: class names of action datasets (and a user's own) -> one row per deduplicated action.

Each source's class names are cleaned into search queries (:mod:`actionhub.sources`) and keyed
(:func:`actionhub.normalize.dedup_key`); aliases with equal keys are one action. The table has exactly
the schema :data:`actionhub.schema.QUERIES` and becomes the dataset's ``actions`` configuration.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from actionhub import atomic
from actionhub.normalize import dedup_key
from actionhub.sources import PAPER_SOURCES, SOURCES, USER, Alias, QueriesError, read_user_classes

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["QueriesConfig", "QueriesError", "QueryReport", "build_queries", "build_table", "parse_sources",
           "read_queries", "write_queries"]

FORMATS = ("parquet", "csv")
_LIST_COLUMNS = ("queries", "aliases", "sources")  # stored as JSON text in CSV


def parse_sources(text: str) -> tuple[str, ...]:
    """``"kinetics700,mit"`` -> ``("kinetics700", "mit")``; ``"all"`` -> the paper's seven; ``""`` -> none."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return PAPER_SOURCES if names == ("all",) else names


@dataclass(frozen=True)
class QueriesConfig:
    """What the query table is built from.

    Attributes:
        sources: registry names (:data:`actionhub.sources.SOURCES`), in the order they count new actions.
        classes: a user's class file (one name per line, ``#`` comments), added after the sources.
    """

    sources: tuple[str, ...] = PAPER_SOURCES
    classes: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.sources, str):  # "kinetics700,mit" or "all", as on the command line
            object.__setattr__(self, "sources", parse_sources(self.sources))
        object.__setattr__(self, "sources", tuple(self.sources))
        unknown = [s for s in self.sources if s not in SOURCES]
        if unknown:
            raise QueriesError(f"unknown source(s) {', '.join(map(repr, unknown))}; valid sources: "
                               f"{', '.join(SOURCES)} (or 'all' = {','.join(PAPER_SOURCES)})")
        if len(set(self.sources)) != len(self.sources):
            raise QueriesError(f"a source is named twice in {','.join(self.sources)}")
        if not self.sources and self.classes is None:
            raise QueriesError("no sources and no class file: nothing to build queries from")
        if self.classes is not None and not isinstance(self.classes, Path):
            object.__setattr__(self, "classes", Path(self.classes))


@dataclass(frozen=True)
class SourceContribution:
    """What one source brought: its class names, its aliases, and the actions first seen in it."""

    source: str
    names: int
    aliases: int
    new_actions: int


@dataclass(frozen=True)
class Merge:
    """One action that gathered several distinct class names."""

    action: str
    key: str
    names: tuple[tuple[str, str], ...]  # (source, name), in input order
    queries: tuple[str, ...]  # distinct cleaned queries

    @property
    def by_normalization(self) -> bool:
        """True when the cleaned queries differ and only the key joins them (``laughing`` / ``laugh``)."""
        return len(self.queries) > 1


@dataclass(frozen=True)
class QueryReport:
    """What :func:`build_queries` did: counts per source and every merge."""

    names: int  # class names read
    actions: int
    contributions: tuple[SourceContribution, ...]
    merges: tuple[Merge, ...]

    def format(self, examples: int = 12) -> str:
        """A plain-text summary: totals, one line per source, and the first ``examples`` merges."""
        n_norm = sum(m.by_normalization for m in self.merges)
        lines = [f"{self.names} class names -> {self.actions} actions; {len(self.merges)} actions gathered 2+ "
                 f"names ({len(self.merges) - n_norm} by equal queries, {n_norm} by normalization)",
                 f"  {'source':<12} {'names':>6} {'aliases':>8} {'new actions':>12}"]
        lines += [f"  {c.source:<12} {c.names:>6} {c.aliases:>8} {c.new_actions:>12}" for c in self.contributions]
        shown = [m for m in self.merges if m.by_normalization][:examples]
        if shown:
            lines.append(f"merges made by normalization (first {len(shown)}):")
            lines += [f"  {m.action!r}: " + " | ".join(f"{s}:{n}" for s, n in m.names) for m in shown]
        return "\n".join(lines)


def _config_aliases(config: QueriesConfig) -> list[tuple[str, int, list[Alias]]]:
    """(source, number of names, aliases) per source of the config, user file last."""
    out = []
    for name in config.sources:
        source = SOURCES[name]
        out.append((name, len(source.names()), source.aliases()))
    if config.classes is not None:
        user = read_user_classes(config.classes)
        out.append((USER, len(user), user))
    return out


def build_table(groups: Sequence[tuple[str, int, list[Alias]]]) -> tuple[pa.Table, QueryReport]:
    """Groups aliases by dedup key into the query table.

    Args:
        groups: (source, number of class names, its aliases) per source, in priority order.

    Raises:
        QueriesError: a name whose query normalizes to nothing (it is named in the message).
    """
    import pyarrow as pa

    from actionhub.schema import QUERIES

    by_key: dict[str, list[Alias]] = {}
    contributions = []
    for source, n_names, aliases in groups:
        new = 0
        for alias in aliases:
            key = dedup_key(alias.query)
            if not key:
                raise QueriesError(f"{alias.source} class {alias.name!r} normalizes to nothing "
                                   "(only stop words); rename it")
            if key not in by_key:
                by_key[key] = []
                new += 1
            by_key[key].append(alias)
        contributions.append(SourceContribution(source, n_names, len(aliases), new))
    rows, merges = [], []
    for action_id, key in enumerate(sorted(by_key)):
        aliases = by_key[key]
        queries = list(dict.fromkeys(a.query for a in aliases))
        action = min(queries, key=lambda q: (len(q), q))
        rows.append({"action_id": action_id, "action": action, "key": key, "queries": queries,
                     "aliases": [a._asdict() for a in aliases], "sources": sorted({a.source for a in aliases})})
        names = tuple(dict.fromkeys((a.source, a.name) for a in aliases))
        if len(names) > 1:
            merges.append(Merge(action, key, names, tuple(queries)))
    table = pa.Table.from_pylist(rows, schema=QUERIES)
    report = QueryReport(sum(n for _, n, _ in groups), table.num_rows, tuple(contributions), tuple(merges))
    return table, report


def build_queries(config: QueriesConfig) -> tuple[pa.Table, QueryReport]:
    """Builds the query table (schema :data:`actionhub.schema.QUERIES`) for a config.

    action_id is 0..N-1 in order of key; ``action`` is the shortest query of the action.

    Raises:
        QueriesError: unreadable or empty class file, or a name that normalizes to nothing.
    """
    return build_table(_config_aliases(config))


def format_for(path: Path, fmt: str | None = None) -> str:
    """The file format: ``fmt`` if given, else ``csv`` for a ``.csv`` path and ``parquet`` otherwise."""
    fmt = fmt or ("csv" if Path(path).suffix.lower() == ".csv" else "parquet")
    if fmt not in FORMATS:
        raise QueriesError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    return fmt


def write_queries(table: pa.Table, path: Path, fmt: str | None = None) -> Path:
    """Writes the table atomically (``actionhub.atomic``: a unique temporary file beside it, then a rename).

    Args:
        table: a table with schema :data:`actionhub.schema.QUERIES`.
        path: the output file; its folder is created.
        fmt: ``parquet`` or ``csv``; default from the suffix (``.csv`` -> CSV). In CSV the list columns
            (``queries``, ``aliases``, ``sources``) hold JSON text, since aliases are records.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from actionhub.schema import QUERIES

    fmt = format_for(path, fmt)
    if not table.schema.equals(QUERIES):
        raise QueriesError("table does not have the QUERIES schema")
    path = Path(path)
    with atomic.atomic_open(path) as fh:
        if fmt == "parquet":
            pq.write_table(table, fh)
        else:
            columns = {name: table.column(name) for name in table.column_names}
            for name in _LIST_COLUMNS:
                columns[name] = pa.array([json.dumps(v, ensure_ascii=False) for v in table.column(name).to_pylist()],
                                         pa.string())
            pacsv.write_csv(pa.table(columns), fh)
    return path


def read_queries(path: Path, fmt: str | None = None) -> pa.Table:
    """Reads a table written by :func:`write_queries` back with schema :data:`actionhub.schema.QUERIES`."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from actionhub.schema import QUERIES

    if format_for(path, fmt) == "parquet":
        return pq.read_table(path, schema=QUERIES)
    types = {f.name: pa.string() for f in QUERIES}
    types["action_id"] = pa.int32()
    raw = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False))
    columns = {name: raw.column(name).to_pylist() for name in raw.column_names}
    for name in _LIST_COLUMNS:
        columns[name] = [json.loads(v) for v in columns[name]]
    return pa.Table.from_pydict(columns, schema=QUERIES)
