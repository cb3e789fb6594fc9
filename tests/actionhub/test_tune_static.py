"""tools/tune_static.py: the fit recovers a teacher a static table can express, the reduction keeps cosines,
the WordNet reader takes definitions and examples, and mistakes are one line with exit 2."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("tune_static", ROOT / "tools" / "tune_static.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def synthetic_counts(rng, n: int, vocab: int) -> sparse.csr_matrix:
    """SYNTHETIC texts: 3-9 random token ids each, as word-piece counts (n, vocab)."""
    rows, cols = [], []
    for i in range(n):
        ids = rng.integers(0, vocab, int(rng.integers(3, 10)))
        rows += [i] * len(ids)
        cols += ids.tolist()
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, vocab))


def test_fit_moves_a_random_table_onto_a_teacher_it_can_express(tool):
    rng = np.random.default_rng(0)
    vocab, d, big = 80, 8, 12
    teacher_rows = rng.normal(size=(vocab, d)) @ rng.normal(size=(d, big))  # a static teacher of rank d
    counts = synthetic_counts(rng, 3000, vocab)
    targets = unit(np.asarray(counts @ teacher_rows))
    start = rng.normal(size=(vocab, d)).astype(np.float32)  # knows nothing of the teacher
    table, report = tool.fit(counts, targets, start, epochs=12, lr=3e-2, batch=128, seed=0)
    before, *_, after = report["holdout_cosine"]
    assert table.shape == (vocab, big)
    assert after > before + 0.1 and after > 0.97
    # Held-out texts embed (mean of token rows, unit length) along the teacher's embeddings.
    test = synthetic_counts(np.random.default_rng(1), 200, vocab)
    cos = np.einsum("nd,nd->n", unit(np.asarray(test @ table)), unit(np.asarray(test @ teacher_rows)))
    assert np.median(cos) > 0.97


def test_reduction_is_linear_and_keeps_cosines_of_a_table_of_that_rank(tool):
    rng = np.random.default_rng(2)
    table = (rng.normal(size=(50, 6)) @ rng.normal(size=(6, 20))).astype(np.float32)  # rank 6
    reduced = tool.reduce(table, 6)
    assert reduced.shape == (50, 6)
    counts = synthetic_counts(rng, 40, 50)
    full, small = unit(np.asarray(counts @ table)), unit(np.asarray(counts @ reduced))
    np.testing.assert_allclose(small @ small.T, full @ full.T, atol=1e-4)
    assert tool.reduce(table, 20) is table


def test_wordnet_reader_takes_definitions_and_examples(tool, tmp_path):
    (tmp_path / "data.noun").write_text(
        "  1 This software and database is being provided to you, the LICENSEE, by Princeton University\n"
        "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived or known or inferred to "
        "have its own distinct existence  \n"
        "00002137 03 n 02 abstraction 0 | a general concept formed by extracting common features; "
        '"he thought abstractions were boring"; "too short"  \n')
    (tmp_path / "data.verb").write_text(
        "01926311 38 v 01 run 0 | move fast by using one's feet; \"Don't run--you'll be out of breath\"  \n")
    for pos in ("adj", "adv"):
        (tmp_path / f"data.{pos}").write_text("")
    assert tool.wordnet_texts(tmp_path) == sorted([
        "that which is perceived or known or inferred to have its own distinct existence",
        "a general concept formed by extracting common features", "he thought abstractions were boring",
        "move fast by using one's feet", "Don't run--you'll be out of breath"])


def test_class_names_cover_every_packaged_source(tool):
    from actionhub.sources import SOURCES

    names = tool.class_names()
    assert len(names) == len(set(names))
    for source in SOURCES.values():
        assert source.aliases()[0].query in names


@pytest.mark.parametrize("args", [["--base", "missing-dir"], ["--base", ".", "--corpus", "no-such-file.txt"]])
def test_mistakes_are_one_line_and_exit_2(tool, args, capsys, tmp_path):
    if args[1] == ".":  # a base that exists, with a corpus that does not
        (tmp_path / "embeddings.npy").write_bytes(b"")
        (tmp_path / "meta.json").write_text("{}")
        args = ["--base", str(tmp_path), *args[2:]]
    assert tool.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
