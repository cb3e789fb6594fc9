"""Sentence splitting that survives abbreviations, and sentence counts.

A fast regex splitter: the periods of known abbreviations ("Dr.", "St.", "e.g."), of dotted acronyms
("U.S.", "a.m.") and of single-letter initials ("J. Smith") are protected first; then the text is split
after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) followed by whitespace. Lower-case
starts split too: footage-site text often does not capitalize ("man runs. dog barks."). A sentence with no
letter or digit is dropped. ``benchmarks/bench_dedup.py`` compares its speed with ``pysbd``, and the tests
run the same table through both.
"""

from __future__ import annotations

import re

# Abbreviations whose period does not end a sentence (matched case-insensitively, as whole words).
ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "ft", "ave", "blvd", "rd", "co", "corp", "inc",
    "ltd", "vs", "etc", "approx", "no", "vol", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "gen", "col", "capt", "lt", "sgt", "rev", "hon", "gov", "sen", "rep",
)
_PROTECT = "\x00"  # never present: normalization turns control characters into spaces
_ABBREV_RE = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\.(?=\s|$)", re.IGNORECASE)
# Dotted acronyms (U.S., e.g., i.e., a.m.) and single capital initials (J. Smith).
_ACRONYM_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}|\b[A-Z]\.(?=\s+[A-Z])")
_BOUNDARY_RE = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+")
_CONTENT_RE = re.compile(r"\w")


def _protect(match: re.Match[str]) -> str:
    return match.group(0).replace(".", _PROTECT)


def split_sentences(text: str) -> list[str]:
    """Splits one normalized description into sentences (whitespace-trimmed, non-empty)."""
    text = _ACRONYM_RE.sub(_protect, _ABBREV_RE.sub(_protect, text))
    pieces = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        pieces.append(text[start:m.start() + len(m.group(0).rstrip())])
        start = m.end()
    pieces.append(text[start:])
    return [p.strip().replace(_PROTECT, ".") for p in pieces if _CONTENT_RE.search(p)]


def split_all(texts: list[str]) -> tuple[list[list[str]], list[int]]:
    """Splits many texts; returns the sentences of each and their counts."""
    sentences = [split_sentences(t) for t in texts]
    return sentences, [len(s) for s in sentences]
