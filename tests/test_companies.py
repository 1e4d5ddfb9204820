"""Companies: corpus/companies examples (one case each) plus the contract other dimensions rely on."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from extractor import extract
from extractor.companies import (AliasRules, StockRow, StopRules, UnlistedRules, lexicon, resolve)
from extractor.rules import RulesError, load_toml, load_tsv

from .corpus_cases import cases

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("ex", cases("companies"))
def test_example(ex):
    article = extract(ex["text"])
    found = {c.name: c for c in article.companies}
    for name in ex.get("expect", []):
        assert name in found, f"{name} not found in {sorted(found)}"
    for name in ex.get("absent", []):
        assert name not in found, f"{name} found: {found[name]}"
    for name, code in ex.get("codes", {}).items():
        assert found[name].code == code
    for name, listed in ex.get("listed", {}).items():
        assert found[name].listed is listed


def test_mentions_point_into_the_original():
    text = "光模塊：中際旭創、新易盛\n大業(yè)股份漲停，博創科技跟漲。"
    article = extract(text)
    assert article.companies
    for c in article.companies:
        for m in c.mentions:
            assert text[m.start:m.end] == m.text
    assert {"中际旭创", "新易盛", "大业股份", "博创科技"} <= {c.name for c in article.companies}


def test_listed_fields():
    c = next(c for c in extract("寒武纪涨停").companies if c.name == "寒武纪")
    assert (c.code, c.exchange, c.listed) == ("688256", "SH", True)
    assert c.rule.startswith("company.")
    f = next(c for c in extract("字节跳动加大投入").companies if c.name == "字节跳动")
    assert (f.code, f.exchange, f.listed) == (None, None, False)


def test_mentions_grouped_per_company():
    article = extract("寒武纪涨停。寒武纪市值再创新高。")
    [c] = [c for c in article.companies if c.name == "寒武纪"]
    assert len(c.mentions) == 2


@pytest.mark.parametrize("written,name,code", [
    ("博创科技", "长芯博创", "300548"),  # former name -> current name and code
    ("中百", "中百集团", "000759"),
    ("茅台", "贵州茅台", "600519"),
    ("万科", "万科A", "000002"),
    ("字节", "字节跳动", None),
    ("NVIDIA", "英伟达", None),
])
def test_resolve(written, name, code):
    ref = resolve(written)
    assert ref is not None and ref.name == name and ref.code == code


@pytest.mark.parametrize("written", ["平安", "中国", "东方", "", "不存在的公司"])
def test_resolve_unknown_or_ambiguous(written):
    assert resolve(written) is None


def test_rules_files_load():
    assert len(load_tsv("companies.tsv", StockRow)) > 5000
    assert len(load_toml("unlisted.toml", UnlistedRules).firm) >= 150
    aliases = load_toml("company_aliases.toml", AliasRules)
    assert len(aliases.alias) >= 90 and "平安" in aliases.ambiguous
    assert "连云港" in load_toml("company_stoplist.toml", StopRules).context


def test_aliases_point_at_listed_stocks_and_never_at_ambiguous():
    aliases = load_toml("company_aliases.toml", AliasRules)
    names = {r.name for r in load_tsv("companies.tsv", StockRow)}
    for abbr, target in aliases.alias.items():
        assert target in names, (abbr, target)
        assert abbr not in aliases.ambiguous
    for abbr in aliases.ambiguous:
        assert resolve(abbr) is None, abbr


def test_unlisted_firms_are_not_listed_stocks():
    names = set()
    for r in load_tsv("companies.tsv", StockRow):
        names |= {r.name, *r.formers(), *r.variant_list()}
    for firm in load_toml("unlisted.toml", UnlistedRules).firm:
        for n in [firm.name, *firm.aliases]:
            assert n not in names, f"{n} is a listed A-share; keep it out of unlisted.toml"


def test_schema_rejects_unknown_keys(tmp_path, monkeypatch):
    import extractor.rules as rules

    (tmp_path / "unlisted.toml").write_text('[[firm]]\nname = "X"\nkind = "foreign"\ntypo = 1\n', encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_DIR", tmp_path)
    rules.load_toml.cache_clear()
    try:
        with pytest.raises(RulesError):
            rules.load_toml("unlisted.toml", UnlistedRules)
    finally:
        rules.load_toml.cache_clear()


def test_jieba_user_words_cover_names():
    words = set(lexicon().words)
    assert {"寒武纪", "中际旭创", "字节跳动", "博创科技"} <= words


def test_no_firm_name_twice():
    seen = {}
    for firm in load_toml("unlisted.toml", UnlistedRules).firm:
        for n in [firm.name, *firm.aliases]:
            assert seen.setdefault(n.casefold(), firm.name) == firm.name, f"{n}: {seen[n.casefold()]} and {firm.name}"


def test_stoplist_words_are_lexicon_forms():
    keys = lexicon().keys
    for word in load_toml("company_stoplist.toml", StopRules).context:
        assert word.casefold() in keys, f"{word} is in no company lexicon"


@pytest.mark.parametrize("path", sorted((ROOT / "corpus" / "articles").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt")),
                         ids=lambda p: p.name)
def test_pieces_give_the_same_companies_and_themes(path):
    """Huge articles are extracted piece by piece: the context rules must be local enough to agree."""
    from extractor.pipeline import extract_in_pieces

    text = path.read_text(encoding="utf-8")
    whole, parts = extract(text), extract_in_pieces(text, size=400)
    assert {c.name for c in parts.companies} == {c.name for c in whole.companies}
    assert sorted((m.start, m.end) for c in parts.companies for m in c.mentions) == sorted(
        (m.start, m.end) for c in whole.companies for m in c.mentions)
    assert {t.name for t in parts.themes} == {t.name for t in whole.themes}


# The unknown-company patterns are tried only where they can match; that must find what a scan
# of every offset finds.
_PIECES = ["科技", "股份", "集团", "中国", "涨停", "(600519)", "（00700.HK）", "-SW", " ", "、", "，", "\n",
           "上涨3%", "表示", "贵州茅台", "新材", "半导体", "a", "1", "龙头", "下跌 2", "大涨", "涨停", "-", "S"]


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_unknown_company_patterns_tried_at_candidate_offsets_find_what_a_full_scan_finds(text):
    from extractor import companies as C

    for pattern, starts in ((C._UNKNOWN_CODED, C._coded_starts), (C._UNKNOWN_SUFFIXED, C._suffixed_starts),
                            (C._UNKNOWN_MOVED, C._moved_starts)):
        assert [m.span() for m in C._finditer_in(pattern, text, starts(text))] == [
            m.span() for m in pattern.finditer(text)]


def test_no_unknown_company_suffix_ends_another():
    """find_unknown's generic() looks up a name's last two and three characters only."""
    from extractor import companies as C

    assert not [(a, b) for a in C._SUFFIX for b in C._SUFFIX if a != b and a.endswith(b)]


@given(st.lists(st.sampled_from(["中", "国", "a", " ", "\t", "\u3000", "\n", "\r", "：", "。", "(yè)"]), max_size=80)
       .map("".join))
def test_line_wraps_searched_from_line_breaks_are_what_a_full_scan_finds(text):
    from extractor import companies as C

    assert [m.span() for m in C._wraps(text)] == [m.span() for m in C._WRAP.finditer(text)]


@given(st.text())
def test_fold_lowers_ascii_letters_only(text):
    import re

    from extractor import companies as C

    assert C.fold(text) == re.sub("[A-Z]+", lambda m: m.group().lower(), text)


@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.sets(st.integers(0, n - 1), max_size=10), st.sets(st.integers(1, n), max_size=20))))
def test_view_bounds_map_removed_characters_to_the_next_kept_one(case):
    from itertools import accumulate

    from extractor import companies as C

    n, removed, ends = case
    keep = bytearray(0 if i in removed else 1 for i in range(n))
    kept = [m.span() for m in C._KEPT_RUN.finditer(keep)]
    bounds = sorted({0, n, *ends})
    before = [0, *accumulate(keep)]
    assert C._view_bounds(bounds, kept) == {before[i] for i in bounds}
