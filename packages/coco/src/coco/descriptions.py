"""Reads the top-k ActionHub descriptions of each class from an ActionHub dataset directory (Parquet, pyarrow).

Layout (written by actionhub; coco reads it by column name and never imports actionhub):
``DIR/data/actions/*.parquet`` (action_id, action, queries, aliases: list of {source, name, query}) and
``DIR/data/descriptions/*.parquet`` (action_id, description, rank with 1 = most relevant in its action, ...).

A class name matches an action case-insensitively (surrounding spaces ignored), trying in order the names of the
actions' aliases, then their queries, then their ``action`` names; the first level with a match wins (ties go
to the lowest action_id). Descriptions are read with column projection and an ``action_id in ... and rank <= k``
filter pushed into the Parquet scan, so millions of rows cost little.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Matches:
    """Result of matching class names to ActionHub actions.

    Attributes:
        action_of: Class name -> action_id for matched classes.
        unmatched: Class names no action matched.
    """

    action_of: dict[str, int]
    unmatched: tuple[str, ...] = field(default=())


def _parquet_dir(actionhub_dir: Path, config: str) -> Path:
    path = Path(actionhub_dir) / "data" / config
    if not path.is_dir() or not any(path.glob("*.parquet")):
        raise FileNotFoundError(f"{path}: no Parquet files (is {actionhub_dir} an ActionHub dataset directory?)")
    return path


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def match_actions(actionhub_dir: str | Path, class_names: Sequence[str]) -> Matches:
    """Matches class names to action ids: aliases' names, then queries, then action names (case-insensitive)."""
    import pyarrow.dataset as ds

    table = ds.dataset(_parquet_dir(Path(actionhub_dir), "actions"), format="parquet").to_table(
        columns=["action_id", "action", "queries", "aliases"])
    ids = table.column("action_id").to_pylist()
    levels: list[dict[str, int]] = [{}, {}, {}]  # alias name, query, action name -> action_id
    for aid, action, queries, aliases in sorted(zip(ids, table.column("action").to_pylist(),
                                                    table.column("queries").to_pylist(),
                                                    table.column("aliases").to_pylist(), strict=True),
                                                key=lambda row: row[0]):
        for alias in aliases or ():
            levels[0].setdefault(_norm(alias["name"]), aid)
        for query in queries or ():
            levels[1].setdefault(_norm(query), aid)
        levels[2].setdefault(_norm(action), aid)
    action_of: dict[str, int] = {}
    unmatched: list[str] = []
    for name in class_names:
        found = next((level[_norm(name)] for level in levels if _norm(name) in level), None)
        if found is None:
            unmatched.append(name)
        else:
            action_of[name] = found
    return Matches(action_of, tuple(unmatched))


def load_descriptions(actionhub_dir: str | Path, class_names: Sequence[str], k: int = 100) -> dict[str, list[str]]:
    """Class name -> its action's top-k descriptions by rank (most relevant first).

    Unmatched classes map to an empty list and are logged as a warning with their names; so do matched
    actions without descriptions. Two classes matching the same action share its descriptions.
    """
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    matches = match_actions(actionhub_dir, class_names)
    if matches.unmatched:
        log.warning("%d of %d classes match no ActionHub action: %s", len(matches.unmatched), len(class_names),
                    list(matches.unmatched))
    wanted = sorted(set(matches.action_of.values()))
    by_action: dict[int, list[tuple[int, str]]] = {aid: [] for aid in wanted}
    if wanted:
        source = ds.dataset(_parquet_dir(Path(actionhub_dir), "descriptions"), format="parquet")
        condition = pc.field("action_id").isin(wanted) & (pc.field("rank") <= k)
        table = source.to_table(columns=["action_id", "rank", "description"], filter=condition)
        for aid, rank, text in zip(table.column("action_id").to_pylist(), table.column("rank").to_pylist(),
                                   table.column("description").to_pylist(), strict=True):
            by_action[aid].append((rank, text))
    out = {name: [] for name in class_names}
    for name, aid in matches.action_of.items():
        out[name] = [text for _, text in sorted(by_action[aid], key=lambda row: row[0])][:k]
    empty = [n for n, aid in matches.action_of.items() if not by_action[aid]]
    if empty:
        log.warning("%d matched classes have no descriptions: %s", len(empty), empty)
    return out
