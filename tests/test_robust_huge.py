"""Huge articles are extracted piece by piece (pipeline.extract_in_pieces) in bounded memory.

The 50 MB run is a benchmark (`python bench/huge_input.py --mb 50`, minutes); here a 0.6 MB article
goes through `recap parse` with a memory bound, and piecewise extraction is checked against the
whole-article extraction on the example articles cut into many small pieces.
"""
from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given, strategies as st

from extractor import extract
from extractor.pipeline import extract_in_pieces, piece_starts

from .conftest import ROOT
from .robust_support import check_article

ARTICLES = sorted((ROOT / "corpus" / "articles").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))


def _pieces(text, size):
    starts = piece_starts(text, size)
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def test_pieces_cover_the_text_and_cut_at_line_ends():
    text = ("涨停80家，跌停25家。\n" * 50 + "\n") * 40
    pieces = _pieces(text, 1000)
    assert "".join(pieces) == text
    assert all(len(p) <= 1000 for p in pieces)
    assert all(p.endswith("\n") for p in pieces[:-1])


def test_pieces_cut_at_sentence_ends_then_anywhere_but_never_inside_a_tag():
    assert all(p.endswith("。") for p in _pieces("涨停80家。" * 500, 1000)[:-1])
    text = ("x" * 700 + "<span class='a'>y</span>") * 40
    pieces = _pieces(text, 1000)
    assert "".join(pieces) == text and all(len(p) <= 1000 for p in pieces)
    for p in pieces[:-1]:
        assert p.rfind("<") < p.rfind(">") or "<" not in p
    assert _pieces("1" * 5000, 1000) == ["1" * 1000] * 5


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_piecewise_extraction_agrees_with_whole_article(path):
    text = path.read_text(encoding="utf-8")
    whole, parts = extract(text), extract_in_pieces(text, size=400)
    check_article(parts, text)

    def key(f):
        return f.text, f.start, f.end, f.value, f.low, f.high, f.unit

    assert [key(f) for f in parts.figures] == [key(f) for f in whole.figures]
    # keys may differ: a claim's period or subject can come from context in an earlier piece
    assert [(c.figure, c.start) for c in parts.claims] == [(c.figure, c.start) for c in whole.claims]
    assert {c.name for c in parts.companies} == {c.name for c in whole.companies}
    assert sorted((m.start, m.end) for c in parts.companies for m in c.mentions) == sorted(
        (m.start, m.end) for c in whole.companies for m in c.mentions)
    assert {t.name for t in parts.themes} == {t.name for t in whole.themes}
    assert [(b.company, b.start) for b in parts.boards] == [(b.company, b.start) for b in whole.boards]
    assert parts.script == whole.script and parts.article_id == whole.article_id


# Claims carry the reader's context (subject, period) across pieces, but a period named inside a
# list item can still outlive the item when a cut falls right after it.
_CLAIMS_DIFFER = {"000_4089d94d3189c5a0.txt"}


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="period carried past a list item at a cut"))
    if p.name in _CLAIMS_DIFFER else p for p in ARTICLES], ids=lambda p: p.name)
def test_piecewise_claims_agree_with_whole_article(path):
    text = path.read_text(encoding="utf-8")
    whole, parts = extract(text), extract_in_pieces(text, size=400)
    assert [(c.key, c.figure, c.start) for c in parts.claims] == [(c.key, c.figure, c.start) for c in whole.claims]


paragraph = st.lists(st.sampled_from(
    ["涨停", "80家", "，", "封板率70%", "成交额1.44万亿", "。", "<p>", "</p>", "漲停", "友好集团7板",
     "中际旭创", "算力", "\n", "\n\n", "1,234", "亿", "&amp;"]), max_size=40).map("".join)


@given(st.lists(paragraph, min_size=1, max_size=30).map("\n".join), st.integers(20, 300))
def test_piecewise_offsets_always_point_into_the_original(text, size):
    check_article(extract_in_pieces(text, size=size), text)


def test_extract_switches_to_pieces_above_the_threshold(monkeypatch):
    from extractor import pipeline

    monkeypatch.setattr(pipeline, "HUGE_ARTICLE_CHARS", 2000)
    monkeypatch.setattr(pipeline, "PIECE_CHARS", 1000)
    text = "涨停80家，跌停25家。\n" * 400
    article = extract(text)
    assert "extracted in" in article.warnings[-1]
    check_article(article, text)
    assert len(article.figures) == 2 * text.count("\n")


def test_large_article_through_the_cli_in_bounded_memory():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from huge_input import run
    finally:
        sys.path.pop(0)
    res = run(0.6)  # ~260k characters: above HUGE_ARTICLE_CHARS, so extracted in pieces
    assert res["exit"] == 0, res["stderr"]
    assert res["peak_rss_mb"] < 1200, res
    assert res["figures"] > 1000 and "pieces" in res["warnings"][0]


# ---------------------------------------------------------------- streamed output
def _streamed(text, **kw) -> bytes:
    import io

    from extractor.pipeline import write_in_pieces

    buf = io.BytesIO()
    write_in_pieces(text, buf, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("pretty", [False, True], ids=["compact", "pretty"])
def test_streamed_json_is_byte_for_byte_the_in_memory_json(pretty, tmp_path):
    import orjson

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in ARTICLES)
    option = orjson.OPT_INDENT_2 if pretty else 0
    expected = orjson.dumps(extract_in_pieces(text, source="a.txt", size=3000).model_dump(mode="json"), option=option)
    got = _streamed(text, source="a.txt", size=3000, pretty=pretty, spool_dir=str(tmp_path))
    assert got == expected
    assert list(tmp_path.iterdir()) == []  # the spools are gone


def test_streamed_json_of_an_article_with_nothing_in_it():
    import orjson

    text = "无关的文字。\n" * 100
    expected = orjson.dumps(extract_in_pieces(text, size=300).model_dump(mode="json"))
    assert _streamed(text, size=300) == expected


def test_a_few_megabytes_through_the_cli_stream_to_the_same_json(tmp_path):
    """`recap parse` streams a huge article into --out (and --jsonl, for a smaller one); the JSON
    is the in-memory one's."""
    import orjson

    from extractor.batch import run

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from huge_input import make_article
    finally:
        sys.path.pop(0)
    for name, n_bytes, kind in (("huge", 2 << 20, "out"), ("large", 600 << 10, "jsonl")):
        text = make_article(n_bytes)
        src = tmp_path / f"{name}.txt"
        src.write_text(text, encoding="utf-8")
        expected = orjson.dumps(extract_in_pieces(text, source=str(src)).model_dump(mode="json")) + b"\n"
        if kind == "out":
            assert run([str(src)], out=tmp_path / "out", progress=False)["ok"] == 1
            assert (tmp_path / "out" / "huge.json").read_bytes() == expected
            assert [p.name for p in (tmp_path / "out").iterdir()] == ["huge.json"]
            umask = os.umask(0)
            os.umask(umask)
            assert (tmp_path / "out" / "huge.json").stat().st_mode & 0o777 == 0o666 & ~umask
        else:
            assert run([str(src)], jsonl=tmp_path / "all.jsonl", progress=False)["ok"] == 1
            assert (tmp_path / "all.jsonl").read_bytes() == expected
            assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "huge.txt", "large.txt", "out"]
