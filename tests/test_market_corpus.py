"""corpus/market: every example of a phrasing family (and its negatives) is one test case."""
import math

import pytest

from extractor import extract
from extractor.market import expand, grammar

from .corpus_cases import cases


def _close(a, b):
    return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-6)


@pytest.mark.parametrize("ex", cases("market"))
def test_market_example(ex):
    text = ex["text"]
    market = extract(text, date=ex.get("date")).market
    for key, value in ex.get("expect", {}).items():
        assert _close(getattr(market, key), value), f"{key}: {getattr(market, key)} != {value}; {market.evidence}"
        ev = market.evidence[key]
        assert text[ev.start:ev.end] == ev.text and ev.rule
    for key in ex.get("absent", []):
        assert getattr(market, key) is None, f"{key} = {getattr(market, key)} from {market.evidence.get(key)}"
    if "indices" in ex:
        got = {q.name: q for q in market.indices}
        assert set(got) == {i["name"] for i in ex["indices"]}, got
        for want in ex["indices"]:
            q = got[want["name"]]
            assert text[q.start:q.end] == q.text
            for k in ("close", "change_pct"):
                if k in want:
                    assert _close(getattr(q, k), want[k]), (k, q)


def test_evidence_points_into_traditional_original():
    text = "兩市成交額1.44萬億，漲停80家。"
    market = extract(text).market
    assert market.turnover == 1.44e12 and market.limit_up == 80
    for ev in market.evidence.values():
        assert text[ev.start:ev.end] == ev.text


def test_ruby_pinyin_is_read_past():
    text = "今日科創(chuàng)板總成交額為172.01億元。"
    assert extract(text).market.turnover is None


def test_pieces_expand_recursively_and_keep_quantifiers():
    assert expand("{a}x{0,3}", {"a": "{b}1", "b": "z"}) == "z1x{0,3}"


def test_rules_compile():
    assert grammar().families
