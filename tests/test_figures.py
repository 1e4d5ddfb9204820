"""The figures layer's example corpus: every row of corpus/figures/*.tsv is its own case.

Columns: id, sentence (`\\n` = a line break), text (the figure as written), value, low, high (empty =
None), unit (a unit class, or `none` = no figure may overlap `text`), approx (y/n, empty = not
checked), xfail (a reason: a known failure, run as strict xfail).
"""
import pytest

from extractor.figures import find_figures
from extractor.normalize import normalize

from .corpus_cases import number_cell, same_value, tsv_cases


def figures_of(sentence: str):
    norm = normalize(sentence)
    return [(norm.span(f.start, f.end), f) for f in find_figures(norm.text)]


@pytest.mark.parametrize("row", tsv_cases("figures"))
def test_figure_example(row):
    sentence = row["sentence"].replace("\\n", "\n")
    found = figures_of(sentence)
    pos = sentence.find(row["text"])
    assert pos >= 0, "the expected text must occur in the sentence"
    if row["unit"] == "none":
        end = pos + len(row["text"])
        assert not [s["text"] for s, _ in found if s["start"] < end and pos < s["end"]]
        return
    cands = [f for s, f in found if s["text"] == row["text"] and s["start"] == pos]
    assert cands, f"no figure {row['text']!r} in {[s['text'] for s, _ in found]}"
    f = cands[0]
    got = (f.value, f.low, f.high)
    assert all(same_value(g, number_cell(w)) for g, w in zip(got, (row["value"], row["low"], row["high"]))), got
    assert f.unit == row["unit"]
    if row["approx"]:
        assert f.approx == (row["approx"] == "y")
