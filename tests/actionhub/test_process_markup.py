"""issue 14, item 7: markup is stripped to text and giant texts are bounded (cut at a sentence or dropped)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from actionhub.process.markup import cap_length, cut_at_sentence, strip_markup


@pytest.mark.parametrize(("text", "expected"), [
    ('<script>alert("x")</script><p>A man <b>surfing</b> a wave.</p>', "A man surfing a wave."),
    ("<STYLE type='text/css'>p {}</STYLE>Dog &amp; cat<br/>playing.", "Dog & cat playing."),
    ("<!-- cached -->Woman &quot;running&quot; &#8211; fast.", 'Woman "running" \u2013 fast.'),
    ("Scores 3 < 5 and 7 > 2, no markup here.", "Scores 3 < 5 and 7 > 2, no markup here."),
])
def test_markup_is_stripped_to_its_text(text, expected):
    out, changed = strip_markup(pa.array([text]))
    assert " ".join(out[0].as_py().split()).replace(" .", ".") == expected
    assert changed == (text != expected)


def test_long_texts_are_cut_at_a_sentence_end_or_dropped():
    assert cut_at_sentence("One. Two two. Three three three.", 20) == "One. Two two."
    assert cut_at_sentence("short.", 20) == "short."
    assert cut_at_sentence("x" * 50, 20) is None
    texts, truncated, too_long = cap_length(pa.array(["ok.", "One. Two two. Three three three.", "y" * 30]), 20)
    assert texts.to_pylist()[:2] == ["ok.", "One. Two two."]
    assert truncated.tolist() == [False, True, False] and too_long.tolist() == [False, False, True]
