"""Processing: shard reading and merging, normalization, exact and near dedup, sentence splitting."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from actionhub import schema
from actionhub.process import PROCESSED, process
from actionhub.process.clean import clean_text
from actionhub.process.dedup import DedupConfig, exact_duplicates, minhash_signatures, near_duplicates
from actionhub.process.sentences import split_column, split_sentences

WHEN = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def raw_row(action_id, query, asset_id, description, rank=0, site="shutterstock", status="ok"):
    ok = status == "ok"
    return {"action_id": action_id, "query": query, "site": site, "asset_id": asset_id if ok else None,
            "description": description if ok else None, "keywords": ["k"] if ok else None, "page": 0,
            "rank": rank, "fetched_at": WHEN, "status": status, "error": None if ok else "boom"}


def write_shard(root: Path, task: str, rows: list[dict], site="shutterstock", marker=True) -> Path:
    path = root / "raw" / site / f"{task}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema.RAW), path)
    if marker:
        (root / "stats" / site).mkdir(parents=True, exist_ok=True)
        (root / "stats" / site / f"{task}.json").write_text(json.dumps({"rows": len(rows)}))
    return path


def queries_table(names: dict[int, str]) -> pa.Table:
    rows = [{"action_id": i, "action": n, "key": n, "queries": [n], "aliases": [], "sources": ["test"]}
            for i, n in names.items()]
    return pa.Table.from_pylist(rows, schema=schema.QUERIES)


def test_corrupted_shard_is_named_and_skipped_and_queries_merge(tmp_path):
    write_shard(tmp_path, "t0", [raw_row(0, "play tennis", "a1", "A woman plays tennis.", rank=2),
                                 raw_row(0, "play tennis", "a2", "Two men play tennis at night.", rank=0),
                                 raw_row(0, "play tennis", None, None, status="http_503")])
    write_shard(tmp_path, "t1", [raw_row(0, "tennis", "a1", "A woman plays tennis.", rank=0),
                                 raw_row(1, "swim", "b1", "Kids swim in a lake.", rank=0)])
    bad = write_shard(tmp_path, "t2", [raw_row(1, "swim", "b2", "A man swims.")])
    bad.write_bytes(b"PAR1 this is not parquet")
    write_shard(tmp_path, "t3", [raw_row(1, "swim", "b3", "Not done yet.")], marker=False)

    desc, sents, report = process(tmp_path, queries_table({0: "play tennis", 1: "swim"}))

    assert list(report.shards.corrupted) == ["raw/shutterstock/t2.parquet"]
    assert report.shards.shards_read == 2
    assert report.shards.failures == {"http_503": 1}
    assert report.shards.rows_ok == 4 and report.shards.records == 3
    assert desc.schema.equals(PROCESSED)
    by_asset = {r["asset_id"]: r for r in desc.to_pylist()}
    assert set(by_asset) == {"a1", "a2", "b1"}  # b2 corrupted, b3 without marker
    assert by_asset["a1"]["queries"] == ["play tennis", "tennis"]  # one record for two queries
    assert by_asset["a1"]["description_id"] == "shutterstock:a1:0"
    assert by_asset["b1"]["action"] == "swim"
    assert sents.num_rows == 3 and report.sentences == 3


def test_same_video_for_two_actions_is_kept_once_per_action(tmp_path):
    write_shard(tmp_path, "t0", [raw_row(0, "run", "v", "A man runs."), raw_row(1, "jog", "v", "A man runs.")])
    desc, _, _ = process(tmp_path, queries_table({0: "run", 1: "jog"}))
    assert sorted(desc["description_id"].to_pylist()) == ["shutterstock:v:0", "shutterstock:v:1"]


NORMALIZATION = [
    ("Man  running\ton the\nbeach", "Man running on the beach"),
    ("\uff21 man swims", "A man swims"),  # full-width letter (NFKC)
    ("ﬁsherman casts a net", "fisherman casts a net"),  # ligature (NFKC)
    ("Boy\u00a0jumps\u200b high\x07", "Boy jumps high"),  # nbsp, zero-width space, bell
    ("Woman doing yoga 4K stock video", "Woman doing yoga"),
    ("Chef cooking pasta - royalty free stock footage, HD 1080p", "Chef cooking pasta"),
    ("Surfer on a wave. Clip ID: 1234567", "Surfer on a wave."),
    ("Skier jumps (4K) #123456", "Skier jumps"),
    ("Basketball player wearing number 10 shoots", "Basketball player wearing number 10 shoots"),
    ("2 men play chess in slow motion footage", "2 men play chess in slow motion"),
    ("Stock Video | Dog catches frisbee", "Dog catches frisbee"),
    ("Crowd\u3000cheers\u2028loudly", "Crowd cheers loudly"),  # ideographic space, line separator
    ("Video ID 55 - Horse gallops ( )", "Horse gallops"),
    ("Men on the beach, 4k footage. Blurred background.", "Men on the beach. Blurred background."),
    ("A man watching a video.", "A man watching a video."),
    ("4K", ""),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZATION)
def test_normalization_table(raw, expected):
    assert clean_text(raw) == expected


def test_exact_duplicates_are_per_action_and_case_insensitive():
    texts = pa.array(["A dog runs.", "a DOG runs.", "A dog runs.", "A cat runs."])
    groups = np.array([0, 0, 1, 0])
    np.testing.assert_array_equal(exact_duplicates(groups, texts), [False, True, False, False])


NEAR_BASE = "A young woman in a red dress dances salsa with her partner in a crowded ballroom at night"


def test_near_duplicates_found_and_distinct_texts_kept():
    texts = [
        NEAR_BASE,
        NEAR_BASE + " slowly",  # one word added: Jaccard of 3-shingles 16/17
        NEAR_BASE.replace("crowded", "busy"),  # one word changed: Jaccard 13/19 = 0.68, below threshold
        "A young man in a blue shirt plays guitar on a wooden stage in front of a large crowd",
        "Aerial view of a mountain lake surrounded by pine forest on a sunny summer morning",
        NEAR_BASE + " slowly",  # same text for another action: not a duplicate there
    ]
    groups = np.array([0, 0, 0, 0, 0, 1])
    config = DedupConfig(num_perm=128, bands=32, threshold=0.8)
    dup = near_duplicates(groups, minhash_signatures(pa.array(texts), config), config)
    np.testing.assert_array_equal(dup, [False, True, False, False, False, False])


def _shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def test_minhash_agreement_estimates_jaccard():
    rng = np.random.default_rng(1)
    vocab = [f"w{i}" for i in range(60)]
    a = " ".join(rng.choice(vocab, 80))
    b = " ".join(a.split()[:60] + list(rng.choice(vocab, 20)))
    true = len(_shingles(a) & _shingles(b)) / len(_shingles(a) | _shingles(b))
    sig = minhash_signatures(pa.array([a, b]), DedupConfig(num_perm=512, bands=8))
    assert abs((sig[0] == sig[1]).mean() - true) < 0.07


def test_signatures_do_not_depend_on_chunking():
    texts = pa.array([NEAR_BASE, "a b", "", "one two three four", NEAR_BASE + " again", "x y z w"] * 3)
    whole = minhash_signatures(texts, DedupConfig())
    np.testing.assert_array_equal(minhash_signatures(texts, DedupConfig(), chunk_rows=4), whole)
    assert np.all(whole[2] == np.iinfo(np.uint32).max)  # no words: no shingles
    np.testing.assert_array_equal(whole[0], whole[6])


def test_dedup_config_is_validated():
    with pytest.raises(ValueError, match="multiple"):
        DedupConfig(num_perm=64, bands=7)


SENTENCES = [
    ("Dr. Smith runs in St. Louis. He is fast!", ["Dr. Smith runs in St. Louis.", "He is fast!"]),
    ("A man in the U.S. Army salutes. Flags wave.", ["A man in the U.S. Army salutes.", "Flags wave."]),
    ("Use tools, e.g. a hammer. Then rest.", ["Use tools, e.g. a hammer.", "Then rest."]),
    ("Mr. Brown waves. Mrs. Brown smiles?", ["Mr. Brown waves.", "Mrs. Brown smiles?"]),
    ("man runs. dog barks.", ["man runs.", "dog barks."]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("Meet J. Smith at 5 p.m. tomorrow. Okay?", ["Meet J. Smith at 5 p.m. tomorrow.", "Okay?"]),
    ("Price is 3.5 dollars. Cheap.", ["Price is 3.5 dollars.", "Cheap."]),
    ("One sentence without a period", ["One sentence without a period"]),
    ("Dr. St. John runs. Go.", ["Dr. St. John runs.", "Go."]),
    ("J. K. Rowling writes. Fans cheer.", ["J. K. Rowling writes.", "Fans cheer."]),
    ("Made in the U.S.A. by hand. Nice!", ["Made in the U.S.A. by hand.", "Nice!"]),
]
REGEX_ONLY = [  # cases pysbd splits differently; the regex splitter's documented behaviour
    ("It costs approx. 5 dollars... Really?", ["It costs approx. 5 dollars...", "Really?"]),
    ("Wow!!! ... Great.", ["Wow!!!", "Great."]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES + REGEX_ONLY)
def test_sentence_splitting_table(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_pysbd_agrees_on_the_same_table(text, expected):
    import pysbd

    assert [s.strip() for s in pysbd.Segmenter(language="en", clean=False).segment(text)] == expected


def test_sentence_splitting_does_not_depend_on_chunking():
    texts = pa.array([text for text, _ in SENTENCES + REGEX_ONLY] + [None])
    whole, counts = split_column(texts)
    chunked, chunked_counts = split_column(texts, chunk_rows=3)
    assert chunked.to_pylist() == whole.to_pylist() == [e for _, e in SENTENCES + REGEX_ONLY] + [[]]
    np.testing.assert_array_equal(chunked_counts, counts)


def test_removal_reasons_are_counted(tmp_path):
    rows = [raw_row(0, "dance", "d0", NEAR_BASE, rank=0),
            raw_row(0, "dance", "d1", NEAR_BASE.upper(), rank=1),  # exact duplicate ignoring case
            raw_row(0, "dance", "d2", NEAR_BASE + " slowly", rank=2),  # near duplicate
            raw_row(0, "dance", "d3", "4K stock video", rank=3),  # empty after normalization
            raw_row(7, "dance", "d4", "Unknown action.", rank=4)]
    write_shard(tmp_path, "t0", rows)
    desc, _, report = process(tmp_path, queries_table({0: "dance"}))
    assert report.removed == {"unknown_action": 1, "empty": 1, "too_long": 0, "exact_duplicate": 1,
                              "near_duplicate": 1, "no_sentence": 0}
    assert desc["asset_id"].to_pylist() == ["d0"]  # the best-ranked copy is kept
