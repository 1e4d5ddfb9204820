"""fast_regex: a first-character lookahead and word tries never change what a pattern matches."""
from __future__ import annotations

import random
import re

import pytest

from extractor.claims import lexicon
from extractor.fast_regex import any_of, first_class, guarded, words_re

from .conftest import ROOT

SAMPLES = [
    "截至今日收盘，沪指涨1.2%，2024年上半年营收增长；14:30后尾盘拉升，据传明日有消息。",
    "15日A股三大指数集体收涨，两市成交额1.2万亿元，较上一交易日放量。",
    "预计全年净利润同比增长30%，分析人士认为不排除继续上涨。",
]


def _texts():
    texts = list(SAMPLES)
    for path in sorted((ROOT / "corpus").rglob("*.txt"))[:12]:
        texts.append(path.read_text(encoding="utf-8", errors="replace"))
    rng = random.Random(7)
    alphabet = "截至今日收盘年月日号0123456789:：-至到近过去未来周一上午据传预计约(（)）、 \n"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(300)]
    return texts


@pytest.mark.parametrize("name", ["period_re", "modality_re", "subject_re", "after_re", "day_re", "time_re"])
def test_guard_keeps_matches(name):
    pattern = getattr(lexicon(), name)
    plain = re.compile(pattern.pattern[pattern.pattern.index(")(?:") + 4:-1], pattern.flags) \
        if pattern.pattern.startswith("(?=[") else pattern
    fast = guarded(plain)
    for text in _texts():
        for a, b in ((0, len(text)), (len(text) // 3, len(text)), (0, len(text) // 2)):
            assert [(m.span(), m.groups()) for m in fast.finditer(text, a, b)] == \
                [(m.span(), m.groups()) for m in plain.finditer(text, a, b)]
        assert bool(fast.fullmatch(text)) == bool(plain.fullmatch(text))


def test_first_class_of_simple_patterns():
    assert first_class(re.compile(r"(?<!\d)(?:19|20)\d{2}年|今日|[A-C]股")) == "[12今A-C]"
    assert first_class(re.compile(r"(?:近|过去)?\d{1,3}个交易日")) == r"[近过\d]"


@pytest.mark.parametrize("source", [r"\s*", r"a?", r".abc", r"[^a]b", r"(?i)abc", r"abc|def", r"[ab]c"])
def test_patterns_it_cannot_reason_about_stay_as_they_are(source):
    pattern = re.compile(source)
    assert guarded(pattern) is pattern


def _flat(words) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w))


@pytest.mark.parametrize("words", [
    ["涨", "涨停", "涨停家数", "涨幅", "跌停", "a.b", "a", "(x)"],
    sorted({*lexicon().term_of, *lexicon().cue_of}),
    sorted(lexicon().modality_of),
])
def test_words_re_matches_the_longest_word_like_a_flat_alternation(words):
    trie, flat = re.compile(words_re(words)), _flat(words)
    for text in _texts() + ["涨停家数涨停家涨a.b.a(x)a.c"]:
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]
        for q in range(0, len(text), 5):
            assert bool(trie.match(text, q, q + 3)) == bool(flat.match(text, q, q + 3))


def test_words_re_of_nothing_matches_nothing():
    assert re.compile(words_re([])).search("anything") is None
    assert re.compile(words_re([""])).search("anything") is None


def test_any_of_matches_where_one_of_its_patterns_does_even_with_shared_group_names():
    parts = [re.compile(r"(?P<n>\d+)板"), re.compile(r"(?P<n>\d+)天\d+板"), re.compile(r"连板")]
    combined = any_of(parts)
    for text in ["3板", "5天3板", "连板", "涨停", "3天", "板"]:
        assert bool(combined.match(text)) == any(p.match(text) for p in parts), text
