"""Text normalization of harvested descriptions: Unicode, control characters, whitespace, site boilerplate.

What is stripped (each rule is one entry of :data:`BOILERPLATE`, applied case-insensitively, in order):

- footage-site labels: "stock video", "stock footage", "royalty-free"/"royalty free", "footage" left
  dangling at the very end of a title ("... on the beach footage"),
- resolution and format tags standing alone: "4K", "8K", "UHD", "HD", "full HD", "1080p", "720p",
  "2160p", "60 fps" ("slow motion" is kept: it describes the video),
- clip ids: "clip id 123", "video #123", "ID: 123", "#123456" and bare numbers of 6 or more digits
  ("number 10" and "2 men" are kept),
- separators left behind at the start or end ("-", "|", ":", ",").

Before that the text is Unicode NFKC-normalized (full-width letters, ligatures, non-breaking spaces become
plain characters), control and format characters (categories Cc, Cf) become spaces, and runs of whitespace
collapse to one space.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# (name, pattern): applied in order; names appear in the documentation and tests.
BOILERPLATE: list[tuple[str, re.Pattern[str]]] = [
    ("clip id", re.compile(r"\b(?:(?:clip|video|footage|stock|asset)\s*(?:id|no\.?|number)?|id)\s*[:#]\s*\d+\b|"
                           r"\b(?:clip|video|footage|stock|asset)?\s*id\s+\d+\b", re.IGNORECASE)),
    ("hash id", re.compile(r"#\d+\b")),
    ("long number", re.compile(r"\b\d{6,}\b")),
    ("site label", re.compile(r"\b(?:royalty[- ]free|stock[- ](?:video|footage|clip)s?|"
                              r"(?:video|footage)\s+clips?)\b", re.IGNORECASE)),
    ("format tag", re.compile(r"(?<![\w.])(?:[48]k(?:\s+uhd)?|uhd|full\s+hd|hd|\d{3,4}p|\d{2,3}\s*fps)(?![\w.])",
                              re.IGNORECASE)),
    ("trailing footage", re.compile(r"\s+(?:footage|video)\s*$", re.IGNORECASE)),
]
_CONTROL = {"Cc", "Cf"}
_SPACES = re.compile(r"\s+")
# Separators and empty brackets left dangling after boilerplate was removed.
_EMPTY_BRACKETS = re.compile(r"[(\[]\s*[)\]]")
_EDGE_SEPARATORS = re.compile(r"^[\s\-|:,;/]+|[\s\-|:,;/]+$")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_REPEATED_SEPARATORS = re.compile(r"([,;:|\-])(?:\s*[,;:|\-])+")


def normalize_unicode(text: str) -> str:
    """NFKC-normalizes, turns control/format characters into spaces and collapses whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(ch) in _CONTROL else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def strip_boilerplate(text: str) -> str:
    """Removes footage-site boilerplate (see module docstring) from unicode-normalized text."""
    for _, pattern in BOILERPLATE:
        text = pattern.sub(" ", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEATED_SEPARATORS.sub(r"\1", text)
    return _EDGE_SEPARATORS.sub("", text)


def normalize_text(text: str) -> str:
    """The full normalization of one description; ``""`` means nothing was left."""
    return strip_boilerplate(normalize_unicode(text))


def normalize_column(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Normalizes a string column; nulls become ``""``.

    The Unicode step runs only on texts that are not plain printable ASCII (NFKC and the control-character
    rule leave those unchanged except for whitespace, which the boilerplate step also collapses).
    """
    values = pc.fill_null(texts, "").to_pylist()
    ascii_mask = np.asarray(pc.match_substring_regex(pc.fill_null(texts, ""), r"^[\x20-\x7e]*$"))
    return pa.array([strip_boilerplate(_SPACES.sub(" ", v)) if plain else normalize_text(v)
                     for v, plain in zip(values, ascii_mask, strict=True)], pa.string())
