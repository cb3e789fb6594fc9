"""The static sentence embedding distilled from the bundled MiniLM (model2vec method), numpy + tokenizers only.

A text's embedding is the mean of the table rows of its word-piece tokens (no special tokens, unknown tokens
skipped), L2-normalized. The table ships as package data (``data/static/``: ``embeddings.npy`` (V, 256)
float16, the ``tokenizer.json`` it was made with, ``meta.json``); ``tools/distill_static.py`` made it from the
bundled MiniLM with the pinned environment beside it. No attention, no layers: one table lookup per token,
which is what makes it about two orders of magnitude faster than MiniLM on CPU.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

# Texts per tokenizer call: bounds the token lists held at once.
CHUNK_ROWS = 100_000


def _folder(folder: str | Path | None) -> Path:
    return Path(folder) if folder else Path(str(files("actionhub") / "data" / "static"))


@functools.cache
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_digest(folder: str | Path | None = None) -> str:
    """sha256 of a table's ``embeddings.npy`` (default: the shipped one); cached per file size and time."""
    path = _folder(folder) / "embeddings.npy"
    stat = path.stat()
    return _digest(path, stat.st_size, stat.st_mtime_ns)


class StaticEmbedding:
    """A token embedding table and its tokenizer.

    Args:
        table: (V, d) float32 token vectors.
        tokenizer: a ``tokenizers.Tokenizer`` whose ids index ``table``.
        identity: changes whenever the embeddings could.
    """

    def __init__(self, table: np.ndarray, tokenizer, identity: str) -> None:
        self.table = table
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.unk = tokenizer.token_to_id("[UNK]")
        self.identity = identity

    @classmethod
    def load(cls, folder: str | Path | None = None) -> StaticEmbedding:
        """Loads ``folder`` (default: the table shipped in the package)."""
        from tokenizers import Tokenizer

        path = _folder(folder)
        meta = json.loads((path / "meta.json").read_text())
        table = np.load(path / "embeddings.npy").astype(np.float32)  # (V, d)
        # The table's own bytes: a re-tuned table from the same source model is a different embedding.
        identity = f"actionhub.static|{meta['source_model_sha256'][:16]}|{table_digest(path)[:16]}"
        return cls(table, Tokenizer.from_file(str(path / "tokenizer.json")), identity)

    @property
    def dim(self) -> int:
        return self.table.shape[1]

    def word_pieces(self, words: list[str]) -> sparse.csr_matrix:
        """(len(words), V) float32 count of each word's word-piece ids (unknown pieces dropped)."""
        enc = self.tokenizer.encode_batch_fast(words, add_special_tokens=False)
        ids = [e.ids for e in enc]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((i for row in ids for i in row), dtype=np.int64, count=int(lengths.sum()))
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        data = np.where(flat == self.unk, 0.0, 1.0).astype(np.float32) if self.unk is not None \
            else np.ones(len(flat), np.float32)
        return sparse.csr_matrix((data, flat, indptr), shape=(len(ids), self.table.shape[0]))

    def token_sums(self, words: list[str]) -> np.ndarray:
        """(len(words), d) float32: the sum of each word's word-piece rows (unknown pieces dropped)."""
        return np.asarray(self.word_pieces(words) @ self.table, dtype=np.float32)

    def _chunks(self, texts, chunk_rows: int):
        """Yields (start, (n, U) word counts of a chunk of texts, its U distinct words)."""
        from actionhub import tokens

        if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
            texts = pa.array(list(texts), pa.string())
        for start in range(0, len(texts), chunk_rows):
            part = texts[start:start + chunk_rows]
            flat, rows = tokens.explode_words(part)  # (m,) words, (m,) text index
            encoded = pc.dictionary_encode(flat)
            col = np.asarray(encoded.indices, dtype=np.int64)
            words = encoded.dictionary.to_pylist()
            yield start, sparse.csr_matrix((np.ones(len(col), np.float32), (rows, col)),
                                           shape=(len(part), len(words))), words

    def piece_counts(self, texts, chunk_rows: int = CHUNK_ROWS) -> sparse.csr_matrix:
        """(n, V) float32 count of each text's word-piece ids: ``piece_counts(t) @ table`` is what :meth:`encode`
        normalizes (the input of ``tools/tune_static.py``)."""
        parts = [counts @ self.word_pieces(words) for _, counts, words in self._chunks(texts, chunk_rows)]
        return sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, self.table.shape[0]))

    def encode(self, texts, chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
        """Unit-length embeddings (n, d) float32; a text without known tokens gets a zero row.

        Words come from :func:`actionhub.tokens.explode_words` (pyarrow, all texts at once) and only the distinct
        words of a chunk go through the word-piece tokenizer: the same pieces as tokenizing each text, minus
        punctuation tokens, at a fraction of the cost (the tokenizer's per-text objects dominate otherwise).
        """
        if not isinstance(texts, (pa.Array, pa.ChunkedArray)):
            texts = pa.array(list(texts), pa.string())
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start, counts, words in self._chunks(texts, chunk_rows):
            sums = np.asarray(counts @ self.token_sums(words), dtype=np.float32)  # (n, d); the mean's scale cancels
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            out[start:start + counts.shape[0]] = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        return out
