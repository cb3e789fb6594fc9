"""issue 14, item 10: full-width, zero-width and control characters never reach queries or dedup keys."""

from __future__ import annotations

import pytest

from actionhub.names import MAX_NAME_CHARS, clean_name
from actionhub.queries import QueriesConfig, build_queries
from actionhub.sources import QueriesError, read_user_classes


@pytest.mark.parametrize(("raw", "expected"), [
    ("\uff50\uff4c\uff41\uff59\uff49\uff4e\uff47\u3000\uff54\uff45\uff4e\uff4e\uff49\uff53", "playing tennis"),
    ("play\u200bing\u200d tennis", "playing tennis"),  # zero-width space and joiner
    ("\ufeffplaying\u00a0tennis", "playing tennis"),  # byte-order mark, no-break space
    ("play\u00ading ten\u0007nis", "playing tennis"),  # soft hyphen, bell
    ("playing\ttennis\u2028", "playing tennis"),
    ("caf\u0065\u0301 dancing", "caf\u00e9 dancing"),  # composed
])
def test_names_are_nfkc_without_invisible_characters(raw, expected):
    assert clean_name(raw) == expected


def test_spellings_that_only_differ_invisibly_become_one_action(tmp_path):
    path = tmp_path / "classes.txt"
    names = ["playing tennis", "\uff50\uff4c\uff41\uff59\uff49\uff4e\uff47 \uff54\uff45\uff4e\uff4e\uff49\uff53",
             "play\u200bing tennis", "Playing\u00a0Tennis", "surf\u00ading"]
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    table, _ = build_queries(QueriesConfig(sources=(), classes=path))
    rows = table.to_pylist()
    assert sorted(r["action"] for r in rows) == ["playing tennis", "surfing"]
    tennis = next(r for r in rows if r["action"] == "playing tennis")
    assert tennis["queries"] == ["playing tennis"] and len(tennis["aliases"]) == 4
    assert all(ch.isascii() for r in rows for q in r["queries"] for ch in q + r["key"])


def test_a_giant_class_name_is_refused_with_its_line(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("surfing\n" + "x" * 100_000 + "\n")
    with pytest.raises(QueriesError, match=f"line 2: class name of 100000 characters; at most {MAX_NAME_CHARS}"):
        read_user_classes(path)
