"""The entry point: polite skip without data, parser defaults equal the config's, the generated doc block."""

from dataclasses import fields

import numpy as np
import pytest

from benchmarks.activitynet import cache, ranking, report, run
from benchmarks.activitynet.data import Split, Video


def test_skips_with_exit_0_when_the_data_is_absent(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run.data, "find_data_dir", lambda *a, **k: None)
    out = tmp_path / "out"
    assert run.main(["--out-dir", str(out), "--doc", str(tmp_path / "doc.md")]) == 0
    assert "skipping" in capsys.readouterr().out
    assert not out.exists() and not (tmp_path / "doc.md").exists()


def test_an_explicit_missing_data_dir_also_skips(tmp_path, capsys):
    assert run.main(["--data-dir", str(tmp_path / "nowhere"), "--out-dir", str(tmp_path / "o"), "--doc", ""]) == 0
    assert "skipping" in capsys.readouterr().out


def test_parser_defaults_equal_config_defaults():
    parsed = vars(run.build_parser().parse_args([]))
    assert parsed == {f.name: f.default for f in fields(run.RunConfig)}
    assert run.RunConfig(**parsed) == run.RunConfig()


def test_unknown_experiment_is_rejected():
    with pytest.raises(ValueError, match="unknown experiments"):
        run.RunConfig(experiments="ranking,videos")


def test_ranking_runs_on_synthetic_data_and_records_a_failing_scorer(synthetic_anet, tmp_path):
    val = run.data.load_split(synthetic_anet, "val_1")
    sentences = ranking.LabelledSentences.from_split(val)

    def broken(texts, names):
        raise OSError("vectors missing")

    out = ranking.evaluate_scorers(sentences, {"bm25": ranking.bm25_scorer, "broken": broken}, tmp_path)
    # Two classes, one sentence each: BM25 ranks "plays drums" first for "Playing drums" (stem match), and
    # "bath" for "Bathing dog" (stem of "bathing"), so both APs are 1.
    assert out["bm25"]["map"] == pytest.approx(1.0)
    assert out["chance"]["map"] == pytest.approx(0.5)
    assert out["broken"] == {"error": "OSError: vectors missing"}


def test_cached_array_computes_once(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return np.arange(3)

    key = cache.cache_key(texts=cache.text_digest(["a", "b"]))
    for _ in range(2):
        np.testing.assert_array_equal(cache.cached_array(tmp_path, "x", key, compute), [0, 1, 2])
    assert len(calls) == 1
    assert cache.text_digest(["ab", "c"]) != cache.text_digest(["a", "bc"])


def test_write_doc_replaces_only_the_generated_block(tmp_path):
    doc = tmp_path / "bench.md"
    doc.write_text(f"# Title\n\nIntro.\n\n{report.BEGIN}\nold numbers\n{report.END}\n\n## Discussion\nKept.\n")
    results = {"meta": {"date": "D", "command": "C", "machine": "M", "seconds": {}},
               "ranking": {"error": "RuntimeError: boom"}}
    report.write_doc(doc, results)
    text = doc.read_text()
    assert "old numbers" not in text and "**Not run**: RuntimeError: boom" in text
    assert text.startswith("# Title\n\nIntro.") and text.endswith("## Discussion\nKept.\n")


def test_labelled_sentences_label_each_sentence_with_its_video():
    split = Split("val_1", (Video("v1", "B", ("x", "y")), Video("v2", "A", ("z",))), ())
    s = ranking.LabelledSentences.from_split(split)
    assert s.texts == ("x", "y", "z") and s.classes == ("A", "B")
    assert s.relevant().tolist() == [[False, False, True], [True, True, False]]


def test_render_fills_every_table_from_a_results_dict():
    stat = {"mean": 30.0, "std": 1.5}
    results = {
        "meta": {"date": "D", "command": "C", "machine": "M", "seconds": {"ranking": 1.0}},
        "ranking": {"sentences": 3, "videos": 2, "scorers": {
            "chance": {"map": 0.5}, "bm25": {"map": 0.75, "map_std_over_actions": 0.1, "seconds": 0.2},
            "encoder": {"error": "ImportError: x"}}, "default_scorer": "fusion", "default_scorer_row": "F",
            "fusion_tuning": {"static": {
                "on": "train", "train_map": 0.3, "library_matches_tuning": False,
                "chosen": {"temperature": 0.03, "feedback": 10, "feedback_weight": 1.0, "weight": 0.7, "k": 30.0},
                "library": {"temperature": 0.05, "feedback": 10, "feedback_weight": 1.0, "weight": 0.7, "k": 30.0}}}},
        "build": {"actions": 2, "classes_without_action": [], "corpus_videos": 4, "actions_without_descriptions": [],
                  "descriptions_per_action": {"min": 1, "median": 2.0, "max": 3, "total": 4}, "ks": [10],
                  "precision_at_10": 0.4, "ceiling_at_10": 0.9, "site_order_precision": {"10": 0.6}, "stages": {}},
        "zeroshot": {"variants": {"AD": {"top1": stat, "top5": stat, "seconds": 3.0}}, "unseen_classes": 100,
                     "train_videos_per_split": stat, "test_videos_per_split": stat, "settings": "S"},
    }
    text = report.render(results)
    assert "| bm25 | 0.750 | 0.100 | 0.2 |" in text
    assert "| encoder | not run: ImportError: x | | |" in text
    assert "| chance (mean positive rate) | 0.5000 | | |" in text
    assert "Default scorer: `fusion` = the row 'F'" in text
    assert ("static: constants tuned on train: T=0.03, m=10, beta=1, w=0.7, k=30 (train mAP 0.300); the library uses "
            "T=0.05, m=10, beta=1, w=0.7, k=30 (DIFFERENT from the tuning).") in text
    assert "| 10 | 0.400 | 0.600 | 0.900 |" in text
    assert "| AD | 30.0 ± 1.5 | 30.0 ± 1.5 | 3.0 |" in text
    assert "| chance | 1.0 | 5.0 | |" in text
