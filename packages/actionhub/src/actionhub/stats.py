"""The paper's analyses of a published dataset: totals, per-action histograms, top/bottom actions, and the
most similar actions by action-name vector versus by description-centre vector.

Writes into an output directory: ``stats.json`` (all figures), ``stats.md`` (the same as tables), and
``descriptions_per_action.png``, ``sentences_per_action.png``, ``top_bottom_actions.png`` (matplotlib, Agg).
The description centre of an action is the mean of the unit mean-word-vectors of its descriptions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from actionhub import atomic

if TYPE_CHECKING:  # numpy, pyarrow, scipy and matplotlib are imported by the functions that use them
    import numpy as np
    import pyarrow as pa
    from gensim.models import KeyedVectors
    from matplotlib.figure import Figure

    from actionhub.relevance import WordVectors


@dataclass(frozen=True)
class StatsConfig:
    """What to analyse.

    Attributes:
        top: how many actions with the most descriptions to list.
        bottom: how many with the fewest.
        actions: action names to find neighbours for; empty = the ``n_similar_default`` largest actions.
        neighbours: neighbours listed per chosen action.
        n_similar_default: actions chosen when ``actions`` is empty.
    """

    top: int = 40
    bottom: int = 20
    actions: tuple[str, ...] = ()
    neighbours: int = 5
    n_similar_default: int = 5

    def __post_init__(self) -> None:
        if min(self.top, self.bottom, self.neighbours, self.n_similar_default) < 0:
            raise ValueError("counts must be >= 0")


def read_config(dataset_dir: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """Reads one configuration of a published directory straight from its Parquet shards."""
    import pyarrow.parquet as pq

    return pq.read_table(sorted((Path(dataset_dir) / "data" / name).glob("*.parquet")), columns=columns)


def per_action_counts(action_ids: np.ndarray, all_ids: np.ndarray) -> np.ndarray:
    """Rows per action, aligned with ``all_ids`` (zero for actions without rows)."""
    import numpy as np

    position = np.searchsorted(all_ids, action_ids)
    return np.bincount(position, minlength=len(all_ids))


def similar_actions(names: list[str], desc_action_pos: np.ndarray, descriptions: pa.Array,
                    chosen: list[int], vectors: WordVectors, k: int) -> dict[str, dict[str, list]]:
    """For each chosen action index: its k nearest actions by name vector and by description centre."""
    import numpy as np
    from scipy import sparse

    from actionhub.relevance import unit_rows

    name_unit = vectors.unit_mean_vectors(names)  # (A, d)
    doc_unit = vectors.unit_mean_vectors(descriptions)  # (n, d)
    group = sparse.csr_matrix((np.ones(len(desc_action_pos), np.float32),
                               (desc_action_pos, np.arange(len(desc_action_pos)))),
                              shape=(len(names), len(desc_action_pos)))
    centre = unit_rows(np.asarray(group @ doc_unit))  # (A, d)
    out = {}
    for i in chosen:
        result = {}
        for label, matrix in (("by_name", name_unit), ("by_descriptions", centre)):
            sims = matrix @ matrix[i]
            sims[i] = -np.inf
            best = np.argsort(-sims, kind="stable")[:k]
            result[label] = [[names[j], round(float(sims[j]), 4)] for j in best if np.isfinite(sims[j])]
        out[names[i]] = result
    return out


def figures(desc_counts: np.ndarray, sent_counts: np.ndarray, top: list, bottom: list) -> dict[str, Figure]:
    """The plots, by file name: two per-action histograms and the top/bottom actions (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out = {}
    for counts, what in ((desc_counts, "descriptions"), (sent_counts, "sentences")):
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.hist(counts, bins=min(50, max(1, len(np.unique(counts)))))
        ax.set_title(f"{what.capitalize()} per action ({len(counts)} actions)")
        ax.set_xlabel(f"{what} per action")
        ax.set_ylabel("number of actions")
        fig.tight_layout()
        out[f"{what}_per_action.png"] = fig
    fig, axes = plt.subplots(1, 2, figsize=(12, max(4, 0.2 * max(len(top), len(bottom)))))
    for ax, rows, title in ((axes[0], top, f"{len(top)} actions with the most descriptions"),
                            (axes[1], bottom, f"{len(bottom)} actions with the fewest descriptions")):
        ax.barh([r[0] for r in rows][::-1], [r[1] for r in rows][::-1])
        ax.set_title(title)
        ax.set_xlabel("descriptions")
        ax.set_ylabel("action")
        ax.tick_params(axis="y", labelsize=6)
    fig.suptitle("Actions by number of descriptions")
    fig.tight_layout()
    out["top_bottom_actions.png"] = fig
    return out


def _plots(desc_counts: np.ndarray, sent_counts: np.ndarray, top: list, bottom: list, out: Path) -> list[str]:
    import matplotlib.pyplot as plt

    names = []
    for name, fig in figures(desc_counts, sent_counts, top, bottom).items():
        with atomic.atomic_open(out / name) as fh:
            fig.savefig(fh, dpi=100, format="png")
        plt.close(fig)
        names.append(name)
    return names


def compute_stats(dataset_dir: Path, out: Path, kv: KeyedVectors, config: StatsConfig = StatsConfig()) -> dict:
    """Computes every analysis of a published directory, writes the files into ``out`` and returns the figures."""
    import numpy as np

    from actionhub.normalize import stop_words
    from actionhub.relevance import WordVectors

    actions = read_config(dataset_dir, "actions", ["action_id", "action"]).sort_by("action_id")
    desc = read_config(dataset_dir, "descriptions", ["action_id", "description"])
    sent_ids = np.asarray(read_config(dataset_dir, "sentences", ["action_id"])["action_id"])
    all_ids = np.asarray(actions["action_id"])
    names = actions["action"].to_pylist()
    desc_pos = np.searchsorted(all_ids, np.asarray(desc["action_id"]))
    desc_counts = np.bincount(desc_pos, minlength=len(all_ids))
    sent_counts = per_action_counts(sent_ids, all_ids)
    order = np.lexsort((np.arange(len(names)), -desc_counts))
    top = [[names[i], int(desc_counts[i])] for i in order[:config.top]]
    bottom = [[names[i], int(desc_counts[i])] for i in order[::-1][:config.bottom]]
    lookup = {n: i for i, n in enumerate(names)}
    unknown = [a for a in config.actions if a not in lookup]
    if unknown:
        raise ValueError(f"unknown actions: {unknown}")
    chosen = [lookup[a] for a in config.actions] or [int(i) for i in order[:config.n_similar_default]]
    vectors = WordVectors(kv, stop_words())
    report = {
        "totals": {"actions": len(names), "actions_with_descriptions": int((desc_counts > 0).sum()),
                   "descriptions": int(desc.num_rows), "sentences": int(len(sent_ids)),
                   "descriptions_per_action_mean": float(desc_counts.mean()) if len(names) else 0.0,
                   "sentences_per_description_mean": float(len(sent_ids) / max(desc.num_rows, 1))},
        "top": top,
        "bottom": bottom,
        "similar": similar_actions(names, desc_pos, desc["description"], chosen, vectors, config.neighbours),
    }
    out.mkdir(parents=True, exist_ok=True)
    report["plots"] = _plots(desc_counts, sent_counts, top, bottom, out)
    atomic.write_text(out / "stats.json", json.dumps(report, indent=2, ensure_ascii=False))
    atomic.write_text(out / "stats.md", format_report(report))
    return report


def format_report(report: dict) -> str:
    """The figures as Markdown tables."""
    lines = ["# Statistics", "", "| total | value |", "| --- | --- |"]
    lines += [f"| {k} | {v:.2f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in report["totals"].items()]
    for key, title in (("top", "Most descriptions"), ("bottom", "Fewest descriptions")):
        lines += ["", f"## {title}", "", "| action | descriptions |", "| --- | --- |"]
        lines += [f"| {a} | {n} |" for a, n in report[key]]
    lines += ["", "## Most similar actions", "", "| action | by name vector | by description centre |",
              "| --- | --- | --- |"]
    for action, sims in report["similar"].items():
        cells = [", ".join(f"{n} ({s:.2f})" for n, s in sims[k]) for k in ("by_name", "by_descriptions")]
        lines.append(f"| {action} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"

