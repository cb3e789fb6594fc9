"""Unicode cleaning of class names before they become queries: NFKC, no zero-width or control characters.

A full-width ``ｐｌａｙｉｎｇ`` becomes ``playing``; a zero-width space, a soft hyphen, a byte-order mark or a
control character inside a name is dropped (it would otherwise split or glue words invisibly); other
white space becomes one space. Applied before the dedup key is made, so lemmatising sees plain words.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_CHARS = 200  # a class name is a few words; longer input is a mistake (a pasted file, a missing newline)
_DROPPED = {"Cc", "Cf"}  # control and format characters: zero-width space/joiners, soft hyphen, BOM, bidi marks


def clean_name(name: str) -> str:
    """``name`` in NFKC with zero-width and control characters dropped and white space squashed."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED)
    return " ".join(text.split())


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a class name (too long), or None."""
    if len(name) > MAX_NAME_CHARS:
        return f"class name of {len(name)} characters; at most {MAX_NAME_CHARS}"
    return None
