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


def _real_table(n_per_action: int = 12) -> tuple[pa.Table, dict[int, str]]:
    """Real-looking SYNTHETIC descriptions of two actions, each action's site order the reverse of the list."""
    topics = {0: ("play tennis", ["A man plays tennis on a clay court.", "Two women hit a tennis ball.",
                                  "A child eats an ice cream.", "A chef slices onions in a kitchen."]),
              1: ("swim", ["A swimmer dives into a pool.", "Kids swim in a lake.", "A car drives at night.",
                           "A dog runs on the beach."])}
    rows = [{"description": f"{texts[i % len(texts)]} Take {i}.", "action_id": a, "site_rank": n_per_action - i}
            for a, (_, texts) in topics.items() for i in range(n_per_action)]
    return (pa.Table.from_pylist(rows, schema=pa.schema([("description", pa.string()), ("action_id", pa.int32()),
                                                          ("site_rank", pa.int32())])),
            {a: name for a, (name, _) in topics.items()})


def test_a_cascade_that_reranks_everything_orders_like_its_second_stage():
    table, actions = _real_table()
    everything = relevance.make_scorer("fusion-cascade", cascade=CascadeConfig(fraction=1.0, minimum=0))(table, actions)
    second = relevance.make_scorer("fusion-encoder")(table, actions)
    default = relevance.make_scorer("fusion-cascade")(table, actions)  # 20 of 12: also everything
    ids = np.asarray(table["action_id"])
    assert relevance.ranks(ids, everything).tolist() == relevance.ranks(ids, second).tolist()
    assert relevance.ranks(ids, default).tolist() == relevance.ranks(ids, second).tolist()
    two = relevance.make_scorer("fusion-cascade", cascade=CascadeConfig(fraction=0.01, minimum=2))(table, actions)
    assert (two >= 0.5).sum() == 4  # two candidates per action, ranked above the rest


def test_int8_reaches_the_encoder_and_stays_close_to_fp32():
    table, actions = _real_table(4)
    fp32 = relevance.make_scorer("encoder")(table, actions)
    int8 = relevance.make_scorer("encoder", precision="int8")(table, actions)
    assert not np.allclose(fp32, int8, atol=1e-6)
    assert np.corrcoef(fp32, int8)[0, 1] > 0.9


def test_definition_names_the_options_the_scorer_uses():
    from actionhub.static import table_digest

    assert relevance.definition("fusion-cascade").startswith(relevance.CARD_TEXT["fusion-cascade"])
    custom = relevance.definition("fusion-cascade", cascade=CascadeConfig(fraction=0.1, minimum=50))
    assert "top 10%" in custom and "at least 50" in custom
    assert relevance.definition("fusion", "int8") == relevance.definition("fusion")  # no MiniLM in it
    for name in relevance.ENCODER_SCORERS:
        assert "int8" in relevance.definition(name, "int8") and "int8" not in relevance.definition(name)
    # The static table's digest: a re-tuned table changes what the score stage depends on; MiniLM alone does not.
    for name in relevance.SCORERS:
        assert (table_digest()[:16] in relevance.definition(name)) == (name in relevance.STATIC_SCORERS)


def test_table_digest_follows_the_file(tmp_path):
    import shutil
    from importlib.resources import files

    from actionhub.static import table_digest

    shipped = files("actionhub") / "data" / "static"
    for name in ("embeddings.npy", "meta.json", "tokenizer.json"):
        shutil.copyfile(str(shipped / name), tmp_path / name)
    assert table_digest(tmp_path) == table_digest()
    table = np.load(tmp_path / "embeddings.npy")
    table[0, 0] += 1
    np.save(tmp_path / "embeddings.npy", table)
    assert table_digest(tmp_path) != table_digest()
