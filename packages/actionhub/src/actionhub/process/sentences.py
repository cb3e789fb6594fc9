"""Sentence splitting that survives abbreviations, and sentence counts, vectorized with pyarrow kernels.

1. The periods that do not end a sentence are protected (replaced by a placeholder): those of known
   abbreviations (:data:`ABBREVIATIONS`: "Dr.", "St.", "Mr.", "etc.", ...), of dotted acronyms of up to four
   letters ("U.S.", "e.g.", "a.m.", "U.S.A.") and of single capital initials before a capitalized word
   ("J. Smith").
2. A boundary marker goes after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) followed by
   whitespace; lower-case starts split too, since footage text often does not capitalize ("man runs. dog
   barks."). The text is split at the markers and the placeholders become periods again.
3. Pieces with no letter or digit are dropped.

Regular expressions are RE2 (no look-around), applied to all texts at once; ``benchmarks/bench_dedup.py``
compares the speed with ``pysbd``, and the tests run the same table through both.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from actionhub.tokens import string_array

# Abbreviations whose period does not end a sentence (case-insensitive, whole words).
ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "ft", "ave", "blvd", "rd", "co", "corp", "inc",
    "ltd", "vs", "etc", "approx", "no", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "gov", "sen", "rep",
)
_DOT = "\x00"  # placeholder of a protected period; normalization turns control characters into spaces
_CUT = "\x01"  # boundary marker
# (RE2 pattern, replacement), in order. Patterns that consume their right context run twice so that
# neighbours ("Dr. St. Louis", "J. K. Rowling") are both protected.
_PROTECT: list[tuple[str, str]] = [
    (r"(?i)\b(" + "|".join(ABBREVIATIONS) + r")\.(\s|$)", "\\1" + _DOT + "\\2"),
    (r"(?i)\b(" + "|".join(ABBREVIATIONS) + r")\.(\s|$)", "\\1" + _DOT + "\\2"),
    (r"\b([A-Za-z])\.([A-Za-z])\.", "\\1" + _DOT + "\\2" + _DOT),
    (_DOT + r"([A-Za-z])\.", _DOT + "\\1" + _DOT),
    (_DOT + r"([A-Za-z])\.", _DOT + "\\1" + _DOT),
    (r"\b([A-Z])\.(\s+[A-Z])", "\\1" + _DOT + "\\2"),
    (r"\b([A-Z])\.(\s+[A-Z])", "\\1" + _DOT + "\\2"),
]
_BOUNDARY = (r"([.!?\x{2026}][\"'\x{201d}\x{2019})\]]*)\s+", "\\1" + _CUT)
_CONTENT = r"[\p{L}\p{N}]"


def _split_chunk(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Sentences of a chunk of texts: (all sentences in order (m,), counts per text (n,) int32)."""
    out = pc.fill_null(texts, "")
    for pattern, replacement in [*_PROTECT, _BOUNDARY]:
        out = pc.replace_substring_regex(out, pattern, replacement)
    pieces = pc.split_pattern(out, _CUT)
    flat = pc.utf8_trim_whitespace(pc.replace_substring(pc.list_flatten(pieces), _DOT, "."))
    parent = np.asarray(pc.list_parent_indices(pieces), dtype=np.int64)
    keep = np.asarray(pc.match_substring_regex(flat, _CONTENT))
    counts = np.bincount(parent[keep], minlength=len(texts)).astype(np.int32)
    return flat.filter(pa.array(keep)).cast(pa.string()), counts


def split_column(texts: pa.Array | pa.ChunkedArray | list[str], chunk_rows: int = 500_000
                 ) -> tuple[pa.ListArray, np.ndarray]:
    """Splits every text; returns (sentences per text as a list array, counts (n,) int32).

    Texts are processed ``chunk_rows`` at a time: each regex pass copies the chunk, not the whole column.
    """
    texts = string_array(texts)
    parts = [_split_chunk(texts.slice(start, chunk_rows)) for start in range(0, len(texts), chunk_rows)]
    counts = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int32)
    flat = pa.concat_arrays([f for f, _ in parts]) if parts else pa.array([], pa.string())
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), flat), counts


def split_sentences(text: str) -> list[str]:
    """Splits one normalized description into sentences (whitespace-trimmed, non-empty)."""
    return split_column([text])[0][0].as_py()
