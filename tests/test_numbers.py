"""The numbers layer's example corpus: every row of corpus/numbers/*.tsv is its own case.

Columns: id, input, text (the number as written), value, low, high (empty = None), kind
(number, percent, money:<ISO>, or `none` = no number may overlap `text`), approx (y/n, empty = not
checked), xfail (a reason: a known failure, run as strict xfail).
"""
import csv
import math
from pathlib import Path

import pytest

from extractor.numbers import chinese_value, parse

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "numbers"


def _rows():
    for path in sorted(CORPUS.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                marks = [pytest.mark.xfail(strict=True, reason=row["xfail"])] if row.get("xfail") else []
                yield pytest.param(row, id=f"{path.stem}:{row['id']}", marks=marks)


def _num(cell):
    return float(cell) if cell.strip() else None


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("row", list(_rows()))
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
    assert all(_same(g, _num(w)) for g, w in zip(got, (row["value"], row["low"], row["high"]))), got
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
