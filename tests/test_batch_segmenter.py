"""The fast segmenter (rjieba) cuts exactly like the reference (a private jieba.Tokenizer)."""

import pytest

from extractor import companies, themes
from extractor.normalize import InputError, decode, normalize
from extractor.tokenizer import make_segmenter

from .conftest import ROOT, SHARED

pytest.importorskip("rjieba")


def _texts():
    paths = sorted((ROOT / "corpus").rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    for sub in ("eval/dev", "corpus/eastmoney-close"):
        paths += sorted(p for p in (SHARED / sub).glob("*") if p.suffix in (".txt", ".html", ".htm"))
    for path in paths:
        try:
            yield path, normalize(decode(path.read_bytes())).text
        except InputError:
            continue


@pytest.fixture(scope="module")
def engines():
    words = [*companies.user_words(), *themes.user_words()]
    return make_segmenter(words, engine="jieba"), make_segmenter(words, engine="rjieba")


def test_rjieba_cuts_the_corpus_like_jieba(engines):
    reference, fast = engines
    assert (reference.engine, fast.engine) == ("jieba", "rjieba")
    checked = 0
    for path, text in _texts():
        expected, got = reference.cut(text), fast.cut(text)
        if expected != got:
            i = next(i for i, (a, b) in enumerate(zip(expected + [""], got + [""])) if a != b)
            pytest.fail(f"{path.name}: token {i}: jieba {expected[i-2:i+3]} rjieba {got[i-2:i+3]}")
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "A股ETF-2024，沪指涨0.5%", "abc  def\r\n123.45亿", "友好集团7板，麦格米特4天2板",
    "中际旭创(300308)涨停；OpenAI发布GPT-5", "😀表情和\t制表符",
], ids=["empty", "space", "newlines", "mixed-ascii", "crlf", "boards", "code-and-latin", "emoji-tab"])
def test_rjieba_cuts_edge_cases_like_jieba(engines, text):
    reference, fast = engines
    assert fast.cut(text) == reference.cut(text)


def test_word_frequencies_agree_for_dictionary_and_project_words(engines):
    reference, fast = engines
    words = ["涨停", "封板率", "龙头", "股票", "市场", "的"]
    words += [*companies.user_words(), *themes.user_words()][:200]
    for word in words:
        assert fast.FREQ.get(word, 0) == reference.FREQ.get(word, 0), word


def test_word_counts_from_the_sqlite_cache_and_from_memory(tmp_path, monkeypatch, engines):
    from extractor.tokenizer import WordFreq, jieba_dict_path

    reference, _ = engines
    monkeypatch.setenv("RECAP_CACHE_DIR", str(tmp_path))
    cached = WordFreq(jieba_dict_path(), {"封板率": 7})
    words = ["涨停", "股票", "的", "不是一个词", "AT&T", "封板率"]
    got = {w: cached.get(w, 0) for w in words}
    assert list(tmp_path.glob("jieba-freq-*.sqlite"))
    monkeypatch.setenv("RECAP_CACHE_DIR", "/proc/not-writable")
    in_memory = WordFreq(jieba_dict_path(), {"封板率": 7})
    assert {w: in_memory.get(w, 0) for w in words} == got
    assert got["封板率"] == 7 and got["不是一个词"] == 0
    assert got["股票"] == reference.FREQ["股票"] and got["的"] == reference.FREQ["的"]
