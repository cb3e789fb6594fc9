"""Experiment 2: an ActionHub-style build whose "footage site" is the ActivityNet train captions.

Each train video's caption paragraph becomes one description in a local corpus file (id = video id, labels
thrown away), which the harvester's ``corpus`` site searches with BM25 as if it were a stock-footage site.
``actionhub build --sources activitynet --site corpus`` then harvests, processes, scores and publishes. The
hidden labels judge the result: a description kept for an action is correct when the video it came from is
labelled with (one of) the ActivityNet class(es) behind that action.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from benchmarks.activitynet.data import Split
from benchmarks.activitynet.metrics import precision_at_k

SOURCE = "activitynet"  # the query registry's name of the ActivityNet class list


def write_corpus(split: Split, path: Path, text_column: str = "caption") -> Path:
    """Writes one JSON line ``{"id": video_id, text_column: paragraph}`` per video, without labels.

    Written to a temporary name and renamed, and skipped when the file already holds the same lines.
    """
    lines = [json.dumps({"id": v.video_id, text_column: v.paragraph}, ensure_ascii=False) for v in split.videos]
    blob = "\n".join(lines) + "\n"
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == blob:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_text(blob, encoding="utf-8")
    os.replace(tmp, path)
    return path


def action_classes(actions: Iterable[Mapping], source: str = SOURCE) -> dict[int, set[str]]:
    """Maps each published action id to the names of ``source``'s classes among its aliases."""
    out: dict[int, set[str]] = {}
    for row in actions:
        names = {a["name"] for a in row["aliases"] if a["source"] == source}
        if names:
            out[int(row["action_id"])] = names
    return out


def ranked_hits(descriptions: Iterable[Mapping], classes_of: Mapping[int, set[str]],
                label_of: Mapping[str, str]) -> dict[int, list[bool]]:
    """Per action, correctness of its descriptions in rank order (rank 1 first).

    Args:
        descriptions: Rows with ``action_id``, ``asset_id`` (the video id) and ``rank``.
        classes_of: Action id -> its class names (from :func:`action_classes`); other actions are ignored.
        label_of: Video id -> hidden label; a video outside it counts as wrong.
    """
    by_action: dict[int, list[tuple[int, bool]]] = {a: [] for a in classes_of}
    for row in descriptions:
        a = int(row["action_id"])
        if a in by_action:
            by_action[a].append((int(row["rank"]), label_of.get(row["asset_id"]) in classes_of[a]))
    return {a: [hit for _, hit in sorted(rows)] for a, rows in by_action.items()}


def hits_matrix(hits: Sequence[list[bool]]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged per-action hit lists -> ((A, max_len) bool padded with False, (A,) lengths)."""
    counts = np.array([len(h) for h in hits], dtype=np.int64)
    out = np.zeros((len(hits), max(counts.max(initial=0), 1)), dtype=bool)
    for i, h in enumerate(hits):
        out[i, :len(h)] = h
    return out, counts


def evaluate_build(descriptions: Sequence[Mapping], actions: Sequence[Mapping], corpus: Split,
                   ks: Sequence[int] = (10, 50, 100), source: str = SOURCE) -> dict:
    """Descriptions per action and precision@k against the hidden labels of the corpus videos.

    Returns a dict with ``actions`` (count matched to ``source`` classes), ``classes_without_action``,
    ``descriptions_per_action`` (min/median/max/total), ``actions_without_descriptions`` and, per k,
    ``precision_at_k`` (mean over actions; an action with fewer than k descriptions has the missing ones
    counted wrong, one with none scores 0) and ``ceiling_at_k`` (the
    best possible mean: an action can be right at most as often as the corpus has videos of its classes).
    """
    classes_of = action_classes(actions, source)
    label_of = {v.video_id: v.label for v in corpus.videos}
    per_class = {}
    for v in corpus.videos:
        per_class[v.label] = per_class.get(v.label, 0) + 1
    ids = sorted(classes_of)
    ranked = ranked_hits(descriptions, classes_of, label_of)
    hits, counts = hits_matrix([ranked[a] for a in ids])
    positives = np.array([sum(per_class.get(c, 0) for c in classes_of[a]) for a in ids], dtype=np.float64)
    covered = set().union(*classes_of.values()) if classes_of else set()
    result = {
        "actions": len(ids),
        "classes_without_action": sorted(set(per_class) - covered),
        "descriptions_per_action": {"min": int(counts.min()) if ids else 0,
                                    "median": float(np.median(counts)) if ids else 0.0,
                                    "max": int(counts.max()) if ids else 0, "total": int(counts.sum())},
        "corpus_videos": len(corpus.videos),
    }
    result["actions_without_descriptions"] = sorted("/".join(sorted(classes_of[a]))
                                                    for a, c in zip(ids, counts, strict=True) if c == 0)
    for k in ks:
        # An action that got no description at all scores 0, not "undefined": it is a miss of the build.
        result[f"precision_at_{k}"] = float(np.nan_to_num(precision_at_k(hits, counts, k)).mean())
        result[f"ceiling_at_{k}"] = float(np.mean(np.minimum(positives, k) / k))
    result["per_action_precision_at_10"] = {
        "/".join(sorted(classes_of[a])): round(float(p), 3)
        for a, p in zip(ids, np.nan_to_num(precision_at_k(hits, counts, 10)), strict=True)}
    return result


def rerank_by_site(descriptions: Sequence[Mapping], site_rows: Iterable[Mapping]) -> list[dict]:
    """The published descriptions with ``rank`` replaced by the site's own order (its BM25 rank; the best
    over an action's queries), so the same candidates can be judged in the order the site returned them.
    Descriptions the raw rows do not cover go last."""
    best: dict[tuple[int, str], int] = {}
    for r in site_rows:
        key = (int(r["action_id"]), r["asset_id"])
        best[key] = min(best.get(key, int(r["rank"])), int(r["rank"]))
    worst = max(best.values(), default=0) + 1
    return [{**row, "rank": best.get((int(row["action_id"]), row["asset_id"]), worst)} for row in descriptions]
