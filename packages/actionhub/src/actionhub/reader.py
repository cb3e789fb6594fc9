"""Reads a published dataset directory by class name: which actions the names match, and their top-k descriptions.

A training dataset's class names rarely equal the actions' spellings (UCF101's ``BenchPress`` is Kinetics'
``bench pressing``), so a name matches an action through actionhub's own query normalisation, in order:

1. the name equals an alias's original class name ignoring case, spaces and punctuation
   (:func:`actionhub.sources.compact`: ``skate boarding`` = Kinetics ``skateboarding``, ``apply eye makeup`` =
   UCF101 ``ApplyEyeMakeup``);
2. the dedup key (:func:`actionhub.normalize.dedup_key`: stop words removed, words lemmatized) of a query
   of the name (:func:`actionhub.sources.clean_any`: CamelCase split, ``(...)`` hints dropped, ``a/b``
   split) equals an action's ``key``: ``bench press`` and ``bench pressing`` both key to ``bench press``.

The first level with a match wins; ties go to the lowest ``action_id``. Descriptions are read with column
projection and an ``action_id in ... and rank <= k`` filter pushed into the Parquet scan, so millions of rows
cost little. The directory is the one ``datasets.load_dataset(path)`` loads (see :mod:`actionhub.publish`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from actionhub.normalize import dedup_key
from actionhub.publish import IncompleteDatasetError, data_dir, is_complete
from actionhub.sources import clean_any, compact


@dataclass(frozen=True)
class ClassMatches:
    """Which class names matched an action of the dataset.

    Attributes:
        action_of: Class name -> action_id, for matched names (in the order given).
        unmatched: Class names no action matched (in the order given).
    """

    action_of: dict[str, int]
    unmatched: tuple[str, ...]

    def summary(self, examples: int = 20) -> str:
        """One line: ``matched 97/101 classes; unmatched: a, b, ...``."""
        total = len(self.action_of) + len(self.unmatched)
        line = f"matched {len(self.action_of)}/{total} classes to ActionHub actions"
        if self.unmatched:
            more = len(self.unmatched) - examples
            line += f"; unmatched: {', '.join(self.unmatched[:examples])}" + (f" (+{more} more)" if more > 0 else "")
        return line


@dataclass(frozen=True)
class TopDescriptions:
    """The top-k descriptions of each class name, and how the names matched.

    Attributes:
        descriptions: Class name -> its action's descriptions by rank, most relevant first (empty when unmatched).
        matches: Which names matched which action.
    """

    descriptions: dict[str, list[str]]
    matches: ClassMatches


def match_classes(actions: pa.Table, class_names: Sequence[str]) -> ClassMatches:
    """Matches class names to the actions of an ``actions`` table (schema QUERIES); see the module docstring.

    Args:
        actions: The dataset's ``actions`` configuration, or a query table from ``build_queries``.
        class_names: Names as a training dataset spells them.
    """
    by_name: dict[str, int] = {}
    by_key: dict[str, int] = {}
    rows = sorted(zip(actions.column("action_id").to_pylist(), actions.column("key").to_pylist(),
                      actions.column("aliases").to_pylist(), strict=True))
    for aid, key, aliases in rows:
        by_key.setdefault(key, aid)
        for alias in aliases or ():
            by_name.setdefault(compact(alias["name"]), aid)
    action_of: dict[str, int] = {}
    unmatched: list[str] = []
    for name in dict.fromkeys(class_names):
        found = by_name.get(compact(name))
        if found is None:
            keys = [k for k in (dedup_key(q) for q in clean_any(name)) if k in by_key]
            found = min((by_key[k] for k in keys), default=None)
        if found is None:
            unmatched.append(name)
        else:
            action_of[name] = found
    return ClassMatches(action_of, tuple(unmatched))


def _config_dataset(path: Path, config: str):
    import pyarrow.dataset as ds

    folder = data_dir(path, config)
    if not is_complete(path) or not any(folder.glob("*.parquet")):
        raise IncompleteDatasetError(f"{path} is not a completely published actionhub dataset "
                                     f"(no marker or no {config} Parquet files); build it with `actionhub build`")
    return ds.dataset(folder, format="parquet")


def top_descriptions(path: str | Path, class_names: Sequence[str], k: int = 100) -> TopDescriptions:
    """The top-k descriptions of each class name from a published dataset directory.

    Args:
        path: A directory written by :func:`actionhub.publish.publish` (what ``load_dataset(path)`` reads).
        class_names: Names as a training dataset spells them; two names matching one action share its texts.
        k: How many descriptions per class, by rank (1 = most relevant).

    Raises:
        IncompleteDatasetError: ``path`` is not a completely published dataset.
    """
    import pyarrow.compute as pc

    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    path = Path(path)
    actions = _config_dataset(path, "actions").to_table(columns=["action_id", "key", "aliases"])
    matches = match_classes(actions, class_names)
    wanted = sorted(set(matches.action_of.values()))
    by_action: dict[int, list[tuple[int, str]]] = {aid: [] for aid in wanted}
    if wanted:
        condition = pc.field("action_id").isin(wanted) & (pc.field("rank") <= k)
        table = _config_dataset(path, "descriptions").to_table(columns=["action_id", "rank", "description"],
                                                                filter=condition)
        for aid, rank, text in zip(table.column("action_id").to_pylist(), table.column("rank").to_pylist(),
                                   table.column("description").to_pylist(), strict=True):
            by_action[aid].append((rank, text))
    out = {name: [] for name in class_names}
    for name, aid in matches.action_of.items():
        out[name] = [text for _, text in sorted(by_action[aid])][:k]
    return TopDescriptions(out, matches)
