"""Property tests: for any input, `extract` returns a valid Article and never raises, and every
item's offsets point into the original (`original[start:end] == text`).

The `ci` profile (tests/conftest.py) runs 300 examples per property; run longer locally with
`python -m pytest tests/test_properties.py --hypothesis-profile=long --hypothesis-show-statistics`.
"""
from __future__ import annotations

import pytest
from hypothesis import assume, example, given, strategies as st

from extractor import Article, InputError, extract
from extractor.normalize import decode, normalize

from .robust_support import check_article, known_bug

# ---------------------------------------------------------------- strategies
RECAP_WORDS = [
    "涨停", "跌停", "漲停", "跌停板", "封板率", "炸板", "炸板率", "连板", "連板", "最高连板", "首板", "二连板",
    "7板", "4天2板", "亿", "億", "万亿", "萬億", "万", "萬", "千", "百", "元", "人民币", "人民幣", "美元", "港元",
    "板", "家", "只", "手", "股", "倍", "%", "％", "个百分点", "百分之", "成交额", "成交額", "两市", "兩市",
    "上证指数", "上證指數", "深证成指", "创业板指", "收报", "收報", "点", "點", "涨", "跌", "约", "近", "超", "逾",
    "左右", "以上", "多", "余", "至", "到", "~", "-", "—", "－", "、", "，", "。", "；", "\n", " ", "\u3000",
    "中际旭创", "中際旭創", "友好集团", "友好集團", "贵州茅台", "宁德时代", "寧德時代", "字节跳动", "OpenAI",
    "算力", "液冷", "CPO", "光模块", "光模組", "大消费", "题材", "題材", "板块", "概念", "龙头", "龍頭",
    "2024年", "12月19日", "2025-03-14", "今日", "昨日", "全年", "一季度", "同比", "环比", "增长", "下降",
    "传闻", "预计", "据悉", "或将", "一", "二", "两", "三", "十", "百", "千", "零", "〇", "壹", "贰", "拾", "点",
]
HTML_BITS = [
    "<p>", "</p>", "<p", "<br/>", "<br>", "<div class='x'>", "</div>", "<span style=\"a\">", "</span>",
    "<b>", "</b>", "<a href=x>", "</a>", "<!--", "-->", "<!-- c -->", "<script>", "</script>", "<style>",
    "<![CDATA[", "]]>", "&amp;", "&amp", "&nbsp;", "&#x6DA8;", "&#28072;", "&#", "&#x;", "&lt;", "&gt",
    "&bogus;", "&#99999999;", "&#xD800;", "<", ">", "&", "/span>", "<img src=a>", "<td>", "<h1>",
]
FULL_WIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\uffe5", "\u2212", "\u2014"]
COMBINING = ["\u0301", "\u0300", "\u0308", "\u20dd", "\u3099", "\u309a", "\ufe0f", "\u200d"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad"]

# Any text without lone surrogates (they cannot come out of a decoded file).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
digits = st.from_regex(r"[0-9０-９]{1,6}([.,][0-9]{1,4}){0,3}", fullmatch=True)
piece = st.one_of(
    st.sampled_from(RECAP_WORDS), st.sampled_from(RECAP_WORDS), digits, digits,
    st.sampled_from(HTML_BITS), st.sampled_from(FULL_WIDTH), st.sampled_from(COMBINING),
    st.sampled_from(INVISIBLE), st.text(st.characters(blacklist_categories=("Cs",)), max_size=4),
)
recap_text = st.lists(piece, max_size=60).map("".join)
html_text = st.lists(st.one_of(st.sampled_from(HTML_BITS), st.sampled_from(RECAP_WORDS), digits),
                     max_size=50).map("".join)
RUN_UNITS = ["1", "9", "1,", "1.", "1.1.", "1,1,", "万", "亿", "万亿", "<", "&", "&#", "百分之", "一二三",
             "、", " ", "\u3000", "-", "1-", "%", "十", "零", "<p", "<!--", "涨停", "7板", "1 "]
long_run = st.builds(
    lambda prefix, unit, n, suffix: prefix + unit * n + suffix,
    st.sampled_from(["", "涨停", "成交额", "<p>", "约"]), st.sampled_from(RUN_UNITS),
    st.integers(50, 1200), st.sampled_from(["", "亿", "家", "%", "元", "板", ">", ";"]),
)


def _extract(text):
    try:
        return extract(text)
    except Exception as e:
        # A crash already filed as a strict-xfail regression case; any other fails the test.
        assume(known_bug(e) is None)
        raise


def _check(text: str) -> Article:
    try:
        article = extract(text)
        check_article(article, text)
    except Exception as e:
        assume(known_bug(e) is None)
        raise
    return article


# ---------------------------------------------------------------- properties
@given(any_text)
@example("")
@example("\x00")
@example("\ud7ff\ue000\U0010ffff")
def test_any_text_gives_a_valid_article(text):
    _check(text)


@given(recap_text)
@example("漲停８０家，封板率７０％，<p>成交額1.44萬億")
@example("百分之百分之百分之三十")
def test_recap_vocabulary_mix(text):
    _check(text)


@given(html_text)
@example("<p涨停80家")
@example("&amp涨停80家<!-- 跌停3家")
@example("<script>1亿")
def test_broken_html(text):
    _check(text)


@pytest.mark.filterwarnings("ignore")
@given(long_run)
def test_long_runs_of_digits_and_punctuation(text):
    _check(text)


@given(st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused_with_input_error(data):
    try:
        text = decode(data)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    try:
        check_article(extract(data), text)
    except Exception as e:
        assume(known_bug(e) is None)
        raise


@given(st.one_of(any_text, recap_text, html_text))
def test_normalization_map_stays_inside_the_original(text):
    norm = normalize(text)
    n = len(norm.text)
    last = 0
    for pos in range(n + 1):
        s = norm.orig_start(pos)
        assert 0 <= s <= len(text)
        assert s >= last  # monotonic
        last = s
    for a, b in ((0, n), (n // 3, n // 2), (n // 2, n)):
        span = norm.span(a, b)
        assert 0 <= span["start"] <= span["end"] <= len(text)
        assert text[span["start"]:span["end"]] == span["text"]


@given(recap_text)
def test_extract_is_deterministic(text):
    assert _extract(text).model_dump() == _extract(text).model_dump()
