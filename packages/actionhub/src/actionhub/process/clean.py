"""Cleaning of harvested description text: Unicode, control characters, whitespace, site boilerplate.

Every step is a pyarrow compute kernel over the whole column (RE2 regular expressions), so millions of texts
take seconds; :func:`clean_text` runs the same kernels on one text.

1. Unicode NFKC (full-width letters, ligatures, non-breaking and other compatibility spaces become plain
   characters); control and format characters (categories Cc, Cf: bell, zero-width space, ...) become spaces.
2. Site boilerplate, each rule one entry of :data:`BOILERPLATE`, case-insensitive, in order:

   - clip ids: "clip id 123", "video #123", "ID: 123", "#123456" and bare numbers of 6 or more digits
     ("number 10" and "2 men" are kept);
   - footage-site labels: "stock video", "stock footage", "stock clips", "royalty-free", "video clip";
   - resolution and format tags standing alone, with a following "footage"/"video": "4K", "4k footage",
     "8K UHD", "UHD", "full HD", "HD video", "1080p", "60 fps" ("slow motion" is kept: it describes the video);
   - "footage" or "video" dangling at the very end ("... on the beach footage").
3. Tidying: empty brackets, runs of whitespace, spaces before punctuation, repeated separators, and
   separators ("-", "|", ":", ",", ";", "/") at either end are removed.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from actionhub.tokens import string_array

_SITE = r"(?:clip|video|footage|stock|asset)"
# (name, RE2 pattern): applied in order with pyarrow's replace_substring_regex.
BOILERPLATE: list[tuple[str, str]] = [
    ("clip id", rf"(?i)\b(?:{_SITE}\s+)?id\s*[:#]?\s*\d+\b|\b{_SITE}\s*(?:no\.?|number)?\s*[:#]\s*\d+\b"),
    ("hash id", r"#\d+\b"),
    ("long number", r"\b\d{6,}\b"),
    ("site label", r"(?i)\b(?:royalty[- ]free|stock[- ](?:video|footage|clip)s?|(?:video|footage)\s+clips?)\b"),
    ("format tag", r"(?i)\b(?:(?:[48]k(?:\s+uhd)?|uhd|full\s+hd|hd|\d{3,4}p)(?:\s+(?:footage|video))?"
                   r"|\d{2,3}\s*fps)\b"),
    ("trailing footage", r"(?i)\s+(?:footage|video)\s*$"),
]
# (pattern, replacement): tidying after the boilerplate is gone.
_TIDY: list[tuple[str, str]] = [
    (r"[(\[]\s*[)\]]", " "),  # empty brackets
    (r"[\s\p{Z}]+", " "),
    (r"\s+([.,;:!?])", r"\1"),
    (r"([,;:|\-])(?:\s*[,;:|\-])+", r"\1"),
    (r"[,;:|\-]+\s*([.!?])", r"\1"),  # "on the beach, ." -> "on the beach."
    (r"^[\s\-|:,;/]+|[\s\-|:,;/]+$", ""),
]


def clean_column(texts: pa.Array | pa.ChunkedArray | list[str]) -> pa.Array:
    """Cleans a string column (see the module docstring); nulls become ``""``, as do texts left empty."""
    texts = string_array(texts)
    out = pc.utf8_normalize(pc.fill_null(texts, ""), form="NFKC")
    out = pc.replace_substring_regex(out, r"[\p{Cc}\p{Cf}]", " ")
    for _, pattern in BOILERPLATE:
        out = pc.replace_substring_regex(out, pattern, " ")
    for pattern, replacement in _TIDY:
        out = pc.replace_substring_regex(out, pattern, replacement)
    return out.cast(pa.string())


def clean_text(text: str) -> str:
    """The full cleaning of one description; ``""`` means nothing was left."""
    return clean_column([text])[0].as_py()
