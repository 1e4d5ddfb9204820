"""Properties of the numbers and figures layers on arbitrary text: no exceptions, valid offsets."""
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.figures import find_figures
from extractor.numbers import parse

# Characters that drive the grammar, plus a few ordinary ones.
ALPHABET = "0123456789.,-+%/~:^eE kKwWMT零一二两三四五六七八九十百千万亿兆点负分之又多余几来成折打元美港人民币个百分点以上以下左右约超过大于小于之间与和至到第年月日家只股倍板亿$¥﹒，。１２３％ \n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_parse_offsets_are_valid(text):
    last_end = 0
    for n in parse(text):
        assert 0 <= n.start < n.end <= len(text)
        assert text[n.start:n.end] == n.text
        assert n.start >= last_end
        last_end = n.end
        assert n.value is not None or n.low is not None or n.high is not None or n.kind == "money"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_find_figures_never_fails(text):
    for f in find_figures(text):
        assert 0 <= f.start < f.end <= len(text)


def test_extreme_exponents_do_not_hang():
    for text in ("1e999999999", "9^999999", "1.5e-99999", "2^-99999999"):
        parse(text)
