"""Statistics on a tiny published dataset: totals, per-action counts, plots, neighbours."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
from gensim.models import KeyedVectors

from actionhub import publish, schema, stats


def tiny_dataset(tmp_path):
    per_action = {0: ("play tennis", ["tennis match on court", "man plays tennis"]),
                  1: ("play badminton", ["badminton shuttle game"]),
                  2: ("swim", ["swimmer in pool", "kids swim in lake", "swim race"]),
                  3: ("cook", [])}
    desc, sent = [], []
    for a, (name, texts) in per_action.items():
        for i, text in enumerate(texts):
            did = f"s:{a}{i}:{a}"
            desc.append({"description_id": did, "action_id": a, "action": name, "site": "s", "asset_id": f"{a}{i}",
                         "queries": [name], "description": text, "keywords": None, "n_sentences": i + 1,
                         "relevance": 0.5, "rank": i + 1})
            sent += [{"description_id": did, "action_id": a, "action": name, "sentence_index": j, "sentence": text}
                     for j in range(i + 1)]
    actions = [{"action_id": a, "action": n, "key": n, "queries": [n], "aliases": [], "sources": ["x"]}
               for a, (n, _) in per_action.items()]
    publish.publish({"descriptions": pa.Table.from_pylist(desc, schema=schema.DESCRIPTIONS),
                     "sentences": pa.Table.from_pylist(sent, schema=schema.SENTENCES),
                     "actions": pa.Table.from_pylist(actions, schema=schema.QUERIES)}, tmp_path / "ds")
    return tmp_path / "ds"


def tiny_vectors() -> KeyedVectors:
    # Axis 0: racket sports, axis 1: water, axis 2: kitchen. "play" points everywhere.
    words = {"tennis": [1, 0, 0], "badminton": [1, 0, 0], "shuttle": [1, 0, 0], "court": [1, 0, 0],
             "swim": [0, 1, 0], "swimmer": [0, 1, 0], "pool": [0, 1, 0], "lake": [0, 1, 0], "cook": [0, 0, 1],
             "play": [1, 1, 1], "match": [1, 0, 0], "race": [0, 1, 0]}
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(list(words), np.array(list(words.values()), dtype=np.float32))
    return kv


def test_stats_totals_plots_and_neighbours(tmp_path):
    report = stats.compute_stats(tiny_dataset(tmp_path), tmp_path / "out", tiny_vectors(),
                                 stats.StatsConfig(top=2, bottom=2, actions=("play tennis",), neighbours=2))
    totals = report["totals"]
    assert (totals["actions"], totals["actions_with_descriptions"]) == (4, 3)
    assert (totals["descriptions"], totals["sentences"]) == (6, 1 + 2 + 1 + 1 + 2 + 3)
    assert report["top"] == [["swim", 3], ["play tennis", 2]]
    assert report["bottom"] == [["cook", 0], ["play badminton", 1]]
    near = report["similar"]["play tennis"]
    assert near["by_name"][0][0] == "play badminton" and near["by_descriptions"][0][0] == "play badminton"
    # By name "play tennis" is close to "swim" through "play"; by description centres they are orthogonal.
    by_name, by_desc = dict(near["by_name"]), dict(near["by_descriptions"])
    assert by_desc.get("swim", 0.0) < 1e-6 < by_name.get("swim", 1.0)
    for png in ("descriptions_per_action.png", "sentences_per_action.png", "top_bottom_actions.png"):
        assert (tmp_path / "out" / png).read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "out/stats.json").read_text())["totals"] == totals
    assert "| swim | 3 |" in (tmp_path / "out/stats.md").read_text()


def test_every_plot_has_a_title_and_axis_labels():
    import matplotlib.pyplot as plt
    import numpy as np

    figs = stats.figures(np.array([3, 1, 0, 2]), np.array([5, 2, 0, 4]), [["run", 3], ["swim", 2]],
                         [["jump", 0], ["swim", 2]])
    assert set(figs) == {"descriptions_per_action.png", "sentences_per_action.png", "top_bottom_actions.png"}
    for name, fig in figs.items():
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), name
        plt.close(fig)
