"""Markup stripping and the length cap of description text (the processing stage's text cleaning).

Sites and proxies sometimes put HTML in a description, or a whole page's worth of text. Before the text is
normalized, :func:`strip_markup` removes ``<script>``, ``<style>``, ``<noscript>`` and ``<template>`` blocks
with their content, comments and every other tag (keeping the text between tags), then decodes character
entities (``&amp;`` -> ``&``). After normalization, :func:`cap_length` bounds a description to
``max_chars`` characters: a longer one is cut at its last sentence end within the cap (counted as
``truncated``), or dropped when no sentence ends in the first ``max_chars`` characters (``too_long``).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_CHARS = 1000  # far above a footage description (typically under 200 characters), far below a page
# RE2 patterns, applied in order; RE2 has no back-references, so each block element has its own pattern.
_BLOCKS = [rf"(?is)<{tag}\b.*?</{tag}\s*>" for tag in ("script", "style", "noscript", "template")]
_COMMENT = r"(?s)<!--.*?-->"
_TAG = r"</?[A-Za-z][^<>]*>|<![A-Za-z][^<>]*>"
_LOOKS_LIKE_MARKUP = r"</?[A-Za-z!][^<>]*>"
_ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")


def strip_markup(texts: pa.Array) -> tuple[pa.Array, int]:
    """Texts with markup removed (see the module docstring), and how many texts held markup or entities."""
    texts = pc.fill_null(texts, "")
    tagged = pc.match_substring_regex(texts, _LOOKS_LIKE_MARKUP)
    out = texts
    for pattern in [*_BLOCKS, _COMMENT]:
        out = pc.replace_substring_regex(out, pattern, " ")
    out = pc.replace_substring_regex(out, _TAG, " ")
    entities = np.asarray(pc.match_substring_regex(out, _ENTITY), dtype=bool)
    if entities.any():  # rare: decode those rows in Python
        values = out.to_pylist()
        for i in np.flatnonzero(entities):
            values[i] = html.unescape(values[i])
        out = pa.array(values, pa.string())
    changed = np.asarray(tagged, dtype=bool) | entities
    return out, int(changed.sum())


def cut_at_sentence(text: str, max_chars: int) -> str | None:
    """``text`` up to its last sentence end within ``max_chars`` characters; None when no sentence ends there."""
    if len(text) <= max_chars:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, max_chars)]
    return text[:ends[-1]] if ends else None


def cap_length(texts: pa.Array, max_chars: int = MAX_CHARS) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Bounds every text to ``max_chars`` characters.

    Returns:
        (texts, truncated mask, too-long mask); too-long texts are left as they were, for the caller to drop.
    """
    long = np.asarray(pc.greater(pc.utf8_length(texts), max_chars), dtype=bool)
    truncated = np.zeros(len(texts), dtype=bool)
    too_long = np.zeros(len(texts), dtype=bool)
    if not long.any():
        return texts, truncated, too_long
    values = texts.to_pylist()
    for i in np.flatnonzero(long):
        cut = cut_at_sentence(values[i], max_chars)
        if cut is None:
            too_long[i] = True
        else:
            values[i], truncated[i] = cut, True
    return pa.array(values, pa.string()), truncated, too_long
