"""The two-stage scorer: which rows the second stage sees, and the order it leaves, against plain loops."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from actionhub import relevance
from actionhub.cascade import CascadeConfig, cascade_scorer, top_share


def loop_top_share(action_ids, first, config: CascadeConfig) -> set[int]:
    chosen = set()
    for a in set(action_ids.tolist()):
        rows = [i for i in range(len(first)) if action_ids[i] == a]
        rows.sort(key=lambda i: (-first[i], i))
        chosen |= set(rows[:config.candidates(len(rows))])
    return chosen


@pytest.mark.parametrize("config", [CascadeConfig(), CascadeConfig(fraction=0.3, minimum=2),
                                    CascadeConfig(fraction=1.0, minimum=0), CascadeConfig(fraction=0.01, minimum=0)])
def test_top_share_matches_a_loop(config):
    rng = np.random.default_rng(3)
    action_ids = rng.integers(0, 6, 300)
    first = rng.random(300).round(2)  # rounded: ties, broken by row order
    got = set(np.flatnonzero(top_share(action_ids, first, config)).tolist())
    assert got == loop_top_share(action_ids, first, config)


def test_candidates_per_action():
    config = CascadeConfig(fraction=0.05, minimum=20)
    assert [config.candidates(n) for n in (0, 5, 20, 400, 1000)] == [0, 5, 20, 20, 50]


def test_second_stage_sees_only_candidates_and_orders_them_above_the_rest():
    # SYNTHETIC scorers: the first stage prefers long texts, the second prefers texts containing "b".
    texts = ["a", "ab", "aaa", "aaaa", "aaaab", "c", "cb", "ccc"]
    table = pa.table({"description": texts, "action_id": pa.array([0, 0, 0, 0, 0, 1, 1, 1], pa.int32())})
    seen = []

    def first(t, _):
        return np.array([len(x) / 10 for x in t["description"].to_pylist()])

    def second(t, _):
        seen.extend(t["description"].to_pylist())
        return np.array([0.5 if "b" in x else 0.1 for x in t["description"].to_pylist()])

    scorer = cascade_scorer(first, second, CascadeConfig(fraction=0.5, minimum=0))
    rank = relevance.ranks(np.asarray(table["action_id"]), scorer(table, {0: "x", 1: "y"}))
    # Action 0: candidates = top 3 of 5 by length (aaaab, aaaa, aaa); "aaaab" first (has b), then aaa and aaaa
    # (the second stage ties them: row order), then the rest by length. Action 1: top 2 of 3 (ccc, cb), "cb" first.
    assert sorted(seen) == sorted(["aaaab", "aaaa", "aaa", "cb", "ccc"])
    assert dict(zip(texts, rank.tolist(), strict=True)) == {"aaaab": 1, "aaa": 2, "aaaa": 3, "ab": 4, "a": 5,
                                                            "cb": 1, "ccc": 2, "c": 3}


def test_registry_has_the_cascade_with_card_text():
    assert "fusion-cascade" in relevance.SCORERS and "fusion-cascade" in relevance.CARD_TEXT


@pytest.mark.parametrize("bad", [dict(fraction=0.0), dict(fraction=1.5), dict(minimum=-1)])
def test_config_rejects_impossible_values(bad):
    with pytest.raises(ValueError):
        CascadeConfig(**bad)
