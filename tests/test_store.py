"""The claims corpus through its Python API, on SQLite and on PostgreSQL (same tests)."""
from __future__ import annotations

import pytest

from extractor.store import SCHEMA_VERSION, StoreError, open_store
from extractor.store.textindex import parse_query, search_form

from .store_helpers import BACKENDS, article, make_url

# Texts written for these tests.
DAY1 = ("今日两市涨停62家，跌停9家，成交额1.2万亿。算力方向走强，中际旭创涨超5%，液冷服务器概念午后拉升。"
        "高位股方面，甲乙科技晋级4板，丙丁股份3板。机构预计中际旭创2026年净利润120亿元。沪指收报3300.5点。")
DAY1B = "另一篇复盘：今日涨停65家，跌停9家。中际旭创2026年净利润预计达到150亿元，算力仍是主线。"
DAY2 = ("今日两市涨停48家，跌停15家，成交额1.05万亿。机器人板块领涨，算力分化。"
        "甲乙科技晋级5板，丙丁股份断板，戊己电子首板。机构预计中际旭创2026年净利润135亿元。沪指收报3288.2点。")
TRAD = "盤面上，中際旭創漲停，液冷伺服器概念持續活躍，算力租賃方向跟漲。"


def day1_article(source="a/day1.txt"):
    return article(DAY1, date="2026-03-10", source=source,
                   market={"limit_up": 62, "limit_up_text": "涨停62家", "limit_down": 9, "turnover": 1.2e12},
                   themes=["算力", "液冷"], boards={"甲乙科技": 4, "丙丁股份": 3},
                   companies={"中际旭创": "300308"},
                   claims=[("中际旭创", "净利润", "2026", 1.2e10, "CNY", "120亿元", "forecast"),
                           ("中际旭创", "涨幅", None, 5, "percent", "5%"),
                           ("上证指数", "收盘点位", "2026-03-10", 3300.5, "other", "3300.5点")])


def day1b_article():
    return article(DAY1B, date="2026-03-10", source="b/other.txt",
                   market={"limit_up": 65, "limit_up_text": "涨停65家", "limit_down": 9},
                   themes=["算力"], companies={"中际旭创": "300308"},
                   claims=[("中际旭创", "净利润", "2026", 1.5e10, "CNY", "150亿元", "forecast")])


def day2_article():
    return article(DAY2, date="2026-03-11", source="a/day2.txt",
                   market={"limit_up": 48, "limit_up_text": "涨停48家", "limit_down": 15, "turnover": 1.05e12},
                   themes=["机器人", "算力"], boards={"甲乙科技": 5, "戊己电子": 1},
                   companies={"中际旭创": "300308"},
                   claims=[("中际旭创", "净利润", "2026", 1.35e10, "CNY", "135亿元", "forecast"),
                           ("上证指数", "收盘点位", "2026-03-11", 3288.2, "other", "3288.2点")])


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    u, cleanup = make_url(request.param, tmp_path)
    yield u
    cleanup()


@pytest.fixture
def store(url):
    with open_store(url) as s:
        yield s


def _fill(store):
    for a, text in [(day1_article(), DAY1), (day1b_article(), DAY1B), (day2_article(), DAY2),
                    (article(TRAD, date="2026-03-12", source="c/trad.txt", companies={"中际旭创": "300308"}), TRAD)]:
        assert store.ingest(a, text) == "added"
    return store


@pytest.fixture
def filled(store):
    """A store with four articles, for tests that change it."""
    return _fill(store)


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request, tmp_path_factory):
    """The same four articles, shared by the tests that only read (opened read-only)."""
    u, cleanup = make_url(request.param, tmp_path_factory.mktemp("corpus"))
    with open_store(u) as s:
        _fill(s)
    with open_store(u, read_only=True) as s:
        yield s
    cleanup()


# ---------------------------------------------------------------- schema and ingest
def test_schema_is_created_once_and_versioned(url):
    with open_store(url) as s:
        assert s.db.execute("SELECT max(version) AS v FROM schema_version")[0]["v"] == SCHEMA_VERSION
    with open_store(url) as s:  # reopening migrates nothing
        assert s.db.execute("SELECT count(*) AS n FROM schema_version")[0]["n"] == 1
    with open_store(url, read_only=True) as s:
        assert s.counts()["articles"] == 0


def test_read_only_store_refuses_writes_and_missing_store(url, tmp_path):
    with open_store(url):
        pass
    with open_store(url, read_only=True) as s:
        with pytest.raises(StoreError):
            s.ingest(day1_article(), DAY1)
    with pytest.raises(StoreError):
        open_store(str(tmp_path / "missing.db"), read_only=True)


def test_ingest_stores_every_dimension(corpus):
    counts = corpus.counts()
    assert counts["articles"] == 4 and counts["claims"] == 6 and counts["boards"] == 4
    assert counts["themes"] == 5 and counts["companies"] == 4
    assert corpus.db.execute("SELECT value FROM market_stats WHERE stat = 'limit_up' ORDER BY value") == [
        {"value": 48.0}, {"value": 62.0}, {"value": 65.0}]
    a, original = corpus.article(day1_article().article_id)
    assert original == DAY1 and a.market.limit_up == 62
    assert corpus.check() == []


def test_reingest_same_article_changes_nothing(filled):
    before = filled.counts()
    assert filled.ingest(day1_article(), DAY1) == "unchanged"
    assert filled.ingest(day1_article()) == "unchanged"  # JSON only: the stored text is kept
    assert filled.counts() == before and filled.check() == []


def test_reextracted_article_replaces_its_rows(filled):
    a = day1_article()
    a.market.limit_up = 63
    before = filled.counts()
    assert filled.ingest(a, DAY1) == "replaced"
    assert filled.counts() == before
    rows = filled.db.execute("SELECT value FROM market_stats WHERE article_id = ? AND stat = 'limit_up'",
                             (a.article_id,))
    assert rows == [{"value": 63.0}]


def test_edited_text_from_same_source_replaces_old_article(filled):
    edited = DAY1.replace("涨停62家", "涨停64家")
    new = article(edited, date="2026-03-10", source="a/day1.txt", market={"limit_up": 64})
    assert filled.ingest(new, edited) == "replaced"
    ids = [r["article_id"] for r in filled.articles("2026-03-10")]
    assert new.article_id in ids and day1_article().article_id not in ids and len(ids) == 2
    assert filled.check() == []


def test_batch_is_all_or_nothing(store):
    with pytest.raises(RuntimeError):
        with store.batch():
            store.ingest(day1_article(), DAY1)
            raise RuntimeError("interrupted")
    assert store.counts()["articles"] == 0
    with store.batch():
        store.ingest(day1_article(), DAY1)
        store.ingest(day2_article(), DAY2)
    assert store.counts()["articles"] == 2


# ---------------------------------------------------------------- search
@pytest.mark.parametrize("word", ["算力", "液冷", "涨停", "中际旭创", "机器人", "旭创"])
def test_search_finds_chinese_words_of_any_length(corpus, word):
    hits = corpus.search(word)
    assert hits, word
    for h in hits:
        marked = [t for t, hit in h.segments if hit]
        assert [search_form(t) for t in marked][:1] == [word] or h.kind == "claim"


def test_single_character_and_mixed_queries(corpus):
    assert {h.source for h in corpus.search("稳")} == set()
    assert corpus.search("板")
    assert corpus.search("1.2万亿")


def test_traditional_query_finds_simplified_text_and_snippet_keeps_original_script(corpus):
    hits = corpus.search("中際旭創 液冷")
    sources = {h.source for h in hits}
    assert "c/trad.txt" in sources and "a/day1.txt" in sources
    trad = next(h for h in hits if h.source == "c/trad.txt" and h.kind == "text")
    assert "【中際旭創】" in trad.snippet and "<mark>液冷</mark>" in trad.snippet_html
    assert [TRAD[s:e] for s, e in trad.highlights] == ["中際旭創", "液冷"]


def test_all_terms_must_occur_and_ranked(corpus):
    hits = corpus.search("算力 机器人")
    assert {h.source for h in hits} == {"a/day2.txt"}
    scores = [h.score for h in corpus.search("算力")]
    assert scores == sorted(scores, reverse=True)


HOSTILE = ['"', "'", '算力"', 'NEAR(算力 液冷)', "算力*", "^算力", "(算力", "算力)", "算力 AND 液冷",
           "算力 OR 机器人", "NOT 算力", "-算力", "+算力", ":", "grams : 算力", "words:算力", "{words}: 算力",
           "'); DROP TABLE articles; --", "算力 <-> 液冷", "算力 & 液冷 | !机器人", "\\", "*", "()", "", "   ",
           "算力 NEAR/2 液冷", "算力:*", "\x00", "%", "_"]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_query_syntax_in_user_input_is_data(corpus, query):
    hits = corpus.search(query)
    words = [w for w in search_form(query).split() if w]
    q = parse_query(query)
    for h in hits:  # every hit really contains every literal term of the query
        text = search_form(corpus.article(h.article_id)[1])
        for c in q.clauses:
            assert "".join(c.units) in text.replace(" ", "") or h.kind == "claim", (query, words)
    assert corpus.counts()["articles"] == 4


def test_operators_do_not_widen_or_narrow_results(corpus):
    only_robots = {h.source for h in corpus.search("机器人")}
    assert only_robots == {"a/day2.txt"}
    assert corpus.search("算力 OR 机器人") == []  # "or" is a word to find, not an operator
    assert corpus.search("NOT 算力") == []
    assert {h.source for h in corpus.search("算力*")} == {h.source for h in corpus.search("算力")}


def test_search_filters(corpus):
    assert {h.trading_date for h in corpus.search("算力", since="2026-03-11")} == {"2026-03-11", "2026-03-12"}
    assert {h.trading_date for h in corpus.search("算力", until="2026-03-10")} == {"2026-03-10"}
    assert {h.source for h in corpus.search("算力", theme="机器人")} == {"a/day2.txt"}
    by_code = {h.source for h in corpus.search("涨停", company="300308")}
    assert by_code == {"a/day1.txt", "b/other.txt", "a/day2.txt", "c/trad.txt"} & by_code and by_code
    claims = corpus.search("中际旭创", metric="净利润")
    assert claims and all(h.kind == "claim" and h.claim["metric"] == "净利润" for h in claims)
    assert {h.claim["value"] for h in claims} == {1.2e10, 1.5e10, 1.35e10}
    assert {h.claim["modality"] for h in corpus.search("", modality="forecast")} == {"forecast"}
    assert corpus.search("", metric="涨幅")[0].claim["text"] == "5%"
    assert {h.source for h in corpus.search("", company="300308")} >= {"a/day1.txt", "a/day2.txt"}


def test_search_hits_serialize(corpus):
    d = corpus.search("液冷", limit=1)[0].to_dict()
    assert set(d) >= {"article_id", "source", "trading_date", "kind", "score", "snippet", "snippet_html",
                      "highlights", "claim"}
    assert "segments" not in d


def test_html_article_snippet_is_clean_and_offsets_point_into_original(store):
    html = ("<div class='x'><p>今日<b>算力</b>方向走强，</p><p>液冷&amp;服务器概念拉升，"
            "<span style='color:red'>中际旭创</span>涨停。</p></div>")
    store.ingest(article(html, date="2026-03-13", source="h.html"), html)
    h = store.search("液冷 中际旭创")[0]
    assert "<" not in h.snippet and "【液冷】&服务器" in h.snippet
    assert [html[s:e] for s, e in h.highlights] == ["液冷", "中际旭创"]


# ---------------------------------------------------------------- timeline
def test_timeline_of_a_market_stat(corpus):
    tl = corpus.timeline(metric="limit_up")
    assert [(p.date, p.value, p.articles) for p in tl.points] == [
        ("2026-03-10", 62.0, 2), ("2026-03-11", 48.0, 1), ("2026-03-12", None, 1)]
    assert tl.points[0].values == [62.0, 65.0]


def test_timeline_of_a_claim_metric_and_unknown_metric(corpus):
    tl = corpus.timeline(metric="净利润", since="2026-03-11")
    assert [(p.date, p.value) for p in tl.points] == [("2026-03-11", 1.35e10), ("2026-03-12", None)]
    with pytest.raises(StoreError):
        corpus.timeline(metric="no_such_metric")


def test_timeline_of_company_and_theme_mentions(corpus):
    tl = corpus.timeline(company="300308")
    assert [(p.date, p.value) for p in tl.points] == [("2026-03-10", 2.0), ("2026-03-11", 1.0), ("2026-03-12", 0.0)]
    assert [p.text_count for p in tl.points] == [3, 1, 1]  # the Traditional text names it too
    th = corpus.timeline(theme="机器人")
    assert [p.value for p in th.points] == [0.0, 1.0, 0.0]


# ---------------------------------------------------------------- compare
def test_compare_two_days(corpus):
    c = corpus.compare("2026-03-10", "2026-03-11")
    market = {r["stat"]: r for r in c.market}
    assert market["limit_up"]["day1"] in (62.0, 65.0) and market["limit_up"]["day2"] == 48.0
    assert market["limit_down"] == {"stat": "limit_down", "day1": 9.0, "day2": 15.0, "delta": 6.0,
                                    "change_pct": 66.67}
    assert c.themes == {"new": ["机器人"], "continuing": ["算力"], "dropped": ["液冷"]}
    assert [(x["company"], x["from"], x["to"]) for x in c.ladder["continued"]] == [("甲乙科技", 4, 5)]
    assert [x["company"] for x in c.ladder["broken"]] == ["丙丁股份"]
    assert [(x["company"], x["boards"]) for x in c.ladder["new"]] == [("戊己电子", 1)]
    changed = {r["key"]: r for r in c.changed}
    assert set(changed) == {"中际旭创|净利润|2026", "上证指数|收盘点位|(day)"}  # the day's own date matches
    assert changed["上证指数|收盘点位|(day)"]["day1"]["value"] == 3300.5
    assert changed["中际旭创|净利润|2026"]["day2"]["value"] == 1.35e10
    assert "【135亿元】" in changed["中际旭创|净利润|2026"]["day2"]["context"]
    conflicts = {(r["day"], r["key"]) for r in c.conflicts}
    assert conflicts == {("2026-03-10", "market.limit_up"), ("2026-03-10", "中际旭创|净利润|2026")}
    lim = next(r for r in c.conflicts if r["key"] == "market.limit_up")
    assert {lim["a"]["value"], lim["b"]["value"]} == {62, 65}
    assert {lim["a"]["text"], lim["b"]["text"]} == {"涨停62家", "涨停65家"}
    assert c.to_dict()["day1"] == "2026-03-10"


def test_compare_unknown_day_is_an_error(corpus):
    with pytest.raises(StoreError, match="no articles"):
        corpus.compare("2026-03-10", "2026-04-01")
    with pytest.raises(StoreError, match="not a YYYY-MM-DD"):
        corpus.compare("2026-03-10", "yesterday")
