"""The numbers layer's example corpus: every row of corpus/numbers/*.tsv is its own case.

Columns: id, input, text (the number as written), value, low, high (empty = None), kind
(number, percent, money:<ISO>, or `none` = no number may overlap `text`), approx (y/n, empty = not
checked), xfail (a reason: a known failure, run as strict xfail).
"""
import pytest

from extractor.numbers import chinese_value, parse

from .corpus_cases import number_cell, same_value, tsv_cases


@pytest.mark.parametrize("row", tsv_cases("numbers"))
def test_number_example(row):
    found = parse(row["input"])
    pos = row["input"].find(row["text"])
    assert pos >= 0, "the expected text must occur in the input"
    if row["kind"] == "none":
        end = pos + len(row["text"])
        assert not [n.text for n in found if n.start < end and pos < n.end]
        return
    cands = [n for n in found if n.text == row["text"] and n.start == pos]
    assert cands, f"no number {row['text']!r} in {[(n.text, n.start) for n in found]}"
    n = cands[0]
    got = (n.value, n.low, n.high)
    assert all(same_value(g, number_cell(w)) for g, w in zip(got, (row["value"], row["low"], row["high"]))), got
    kind, _, currency = row["kind"].partition(":")
    assert n.kind == kind
    if currency:
        assert n.currency == currency
    if row["approx"]:
        assert n.approx == (row["approx"] == "y")
    assert n.end - n.start == len(n.text) and row["input"][n.start:n.end] == n.text


def test_offsets_hold_for_raw_fullwidth_text():
    text = "沪指涨１﹒４５％，成交额２﹒５５萬億元"
    for n in parse(text):
        assert text[n.start:n.end] == n.text
    assert [n.value for n in parse(text)] == [1.45, 2550000000000]


def test_chinese_value():
    assert chinese_value("两万亿") == 2000000000000
    assert chinese_value("一千二百万") == 12000000
    assert chinese_value("三点五") == 3.5
    assert chinese_value("公司") is None
