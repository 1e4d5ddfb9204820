"""The web app without a browser: the JSON API, the pages' HTML, bad requests, and the pieces
(highlighting by offsets, SVG charts) on their own."""
from __future__ import annotations

import hashlib
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")

from extractor.store import open_store  # noqa: E402
from extractor.web.charts import chart  # noqa: E402
from extractor.web.fmt import human  # noqa: E402
from extractor.web.highlight import Span, mark, parse_hits  # noqa: E402

from .store_helpers import BACKENDS, make_url  # noqa: E402
from .web_helpers import HOSTILE, corpus_db, fill, rich_db  # noqa: E402


def _client(url):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from extractor.web import create_app

    return TestClient(create_app(url), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def rich():
    return _client(rich_db())


@pytest.fixture(scope="module")
def corpus():
    return _client(corpus_db())


def _ids(client, date):
    return {a["source"]: a["article_id"] for a in client.get("/api/articles", params={"date": date}).json()}


# ---------------------------------------------------------------- API
def test_days_and_articles(rich):
    assert rich.get("/api/days").json() == [{"date": "2026-03-12", "articles": 1}, {"date": "2026-03-11", "articles": 1},
                                            {"date": "2026-03-10", "articles": 2}]
    rows = rich.get("/api/articles", params={"date": "2026-03-10"}).json()
    assert sorted(r["source"] for r in rows) == ["a/day1.txt", "b/other.txt"]


def test_search_api(rich):
    hits = rich.get("/api/search", params={"q": "净利润"}).json()
    assert hits and all("<mark>" in h["snippet_html"] for h in hits)
    assert all(h["url"].startswith(f"/article/{h['article_id']}?hl=") for h in hits)
    only = rich.get("/api/search", params={"q": "净利润", "since": "2026-03-11"}).json()
    assert only and {h["trading_date"] for h in only} == {"2026-03-11"}
    forecast = rich.get("/api/search", params={"q": "中际旭创", "modality": "forecast"}).json()
    assert forecast and all(h["claim"]["modality"] == "forecast" for h in forecast)
    by_metric = rich.get("/api/search", params={"metric": "净利润"}).json()  # filters alone are a query
    assert len(by_metric) == 3


def test_search_corpus_traditional_query(corpus):
    simplified = corpus.get("/api/search", params={"q": "涨停"}).json()
    traditional = corpus.get("/api/search", params={"q": "漲停"}).json()
    assert len(simplified) >= 5 and [h["article_id"] for h in simplified] == [h["article_id"] for h in traditional]


def test_article_api(rich):
    aid = _ids(rich, "2026-03-10")["a/day1.txt"]
    body = rich.get(f"/api/article/{aid}").json()
    with open_store(rich_db(), read_only=True) as store:
        stored, original = store.article(aid)
    assert body["original"] == original
    assert body["article"] == stored.model_dump(mode="json")


def test_day_api(rich):
    day = rich.get("/api/day/2026-03-10").json()
    market = {m["stat"]: m for m in day["market"]}
    assert market["limit_up"]["values"] == [62, 65] and market["limit_down"]["value"] == 9
    assert [step["boards"] for step in day["ladder"]] == [4, 3]
    assert [t["name"] for t in day["themes"]][:1] == ["算力"] and day["themes"][0]["articles"] == 2


def test_compare_api_is_recap_compare(rich):
    body = rich.get("/api/compare", params={"day1": "2026-03-10", "day2": "2026-03-11"}).json()
    with open_store(rich_db(), read_only=True) as store:
        assert body == store.compare("2026-03-10", "2026-03-11").to_dict()
    assert body["themes"]["new"] == ["机器人"] and body["ladder"]["continued"][0]["company"] == "甲乙科技"
    assert body["changed"] and body["conflicts"]


def test_timeline_api(rich):
    tl = rich.get("/api/timeline", params={"metric": "limit_up"}).json()
    assert [(p["date"], p["value"]) for p in tl["points"]] == [("2026-03-10", 62), ("2026-03-11", 48),
                                                               ("2026-03-12", 70)]
    company = rich.get("/api/timeline", params={"company": "300308"}).json()
    assert company["kind"] == "company" and [p["value"] for p in company["points"]] == [2, 1, 0]


def test_openapi_documents_the_api_only(rich):
    spec = rich.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/search", "/api/article/{article_id}", "/api/day/{day}", "/api/compare", "/api/timeline",
            "/api/days"} <= paths
    assert all(p.startswith("/api/") for p in paths)
    assert "q" in [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]


# ---------------------------------------------------------------- bad requests
@pytest.mark.parametrize("path,status", [
    ("/api/article/nope", 404),
    ("/api/day/2026-02-30", 422),
    ("/api/day/2020-01-01", 404),
    ("/api/search?q=", 422),
    ("/api/search?q=%20%20", 422),
    ("/api/search?q=x&modality=gossip", 422),
    ("/api/search?q=x&since=2026-03-12&until=2026-03-10", 422),
    ("/api/search?q=x&since=yesterday", 422),
    ("/api/search?q=x&limit=0", 422),
    ("/api/compare?day1=2026-03-10", 422),
    ("/api/compare?day1=2026-03-10&day2=pyproject.toml", 422),
    ("/api/compare?day1=2026-03-10&day2=2026-01-01", 404),
    ("/api/timeline", 422),
    ("/api/timeline?metric=limit_up&theme=算力", 422),
    ("/api/timeline?metric=no_such_metric", 404),
    ("/api/nothing", 404),
])
def test_bad_api_requests(rich, path, status):
    r = rich.get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert isinstance(r.json()["detail"], str) and "Traceback" not in r.text


@pytest.mark.parametrize("path,status,message", [
    ("/article/nope", 404, "no article"),
    ("/article/" + "x" * 500, 404, "no article"),
    ("/day/2026-13-01", 422, "YYYY-MM-DD"),
    ("/day/1999-01-01", 404, "no articles stored"),
    ("/search?q=", 422, "empty query"),
    ("/search?q=a&since=2026-02-30", 422, "since"),
    ("/compare?day1=2026-03-10&day2=../../etc/passwd", 422, "day2"),
    ("/compare?day1=2026-03-10&day2=2027-01-01", 404, "no articles stored"),
    ("/timeline?metric=nope", 404, "unknown metric"),
    ("/timeline?kind=stock&name=x", 422, "kind"),
    ("/article/x?hl=5-2", 404, "no article"),
    ("/no/such/page", 404, "no page"),
])
def test_bad_page_requests(rich, path, status, message):
    r = rich.get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert message in r.text and "Traceback" not in r.text


def test_bad_highlight_offsets(rich):
    aid = _ids(rich, "2026-03-11")["a/day2.txt"]
    assert rich.get(f"/article/{aid}?hl=abc").status_code == 422
    assert rich.get(f"/article/{aid}?hl=99999-100000").status_code == 200  # outside the text: ignored


def test_query_text_is_data(rich):
    for q in ['"', "'", "*", "NEAR(", "AND OR NOT", "a:b", "<script>alert(1)</script>", "\\", "%", "-- ;"]:
        assert rich.get("/api/search", params={"q": q}).status_code == 200, q
        page = rich.get("/search", params={"q": q})
        assert page.status_code == 200 and "<script>alert(1)" not in page.text


def test_store_missing(tmp_path):
    client = _client(str(tmp_path / "missing.db"))
    r = client.get("/")
    assert r.status_code == 503 and "cannot be opened" in r.text
    assert client.get("/api/days").status_code == 503


# ---------------------------------------------------------------- pages
def test_article_page_marks_every_dimension(rich):
    aid = _ids(rich, "2026-03-10")["a/day1.txt"]
    html = rich.get(f"/article/{aid}").text
    marks = dict((text, cls) for cls, text in re.findall(r'<mark class="([^"]+)"[^>]*>([^<]*)</mark>', html))
    assert "k-company" in marks["中际旭创"]
    assert "k-theme" in marks["算力"] and "k-theme" in marks["液冷"]
    assert "k-board" in marks["甲乙科技"]
    assert "k-market" in marks["涨停62家"] and "k-market" in marks["1.2万亿"]
    assert 'id="company-0-0"' in html and 'id="market-limit_up"' in html


def test_article_page_escapes_the_text(rich):
    aid = _ids(rich, "2026-03-12")["c/<hostile>.txt"]
    html = rich.get(f"/article/{aid}").text
    assert "<script>alert" not in html and "<b>粗体" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html and "&amp;amp;" in html
    assert "c/&lt;hostile&gt;.txt" in html
    text = re.search(r'id="article-text">(.*?)</div>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == HOSTILE


def test_search_hit_links_to_marked_article(rich):
    page = rich.get("/search", params={"q": "液冷"}).text
    link = re.search(r'class="source" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    html = rich.get(link).text
    assert re.search(r'<mark class="[^"]*k-hit[^"]*" id="hit"[^>]*>液冷</mark>', html)


def test_day_and_compare_pages(rich):
    day = rich.get("/day/2026-03-11").text
    assert "甲乙科技" in day and "5板" in day and 'href="/day/2026-03-10"' in day and 'href="/day/2026-03-12"' in day
    cmp = rich.get("/compare", params={"day1": "2026-03-10", "day2": "2026-03-11"}).text
    assert "甲乙科技 4→5" in cmp and "机器人" in cmp and "<mark>135亿元</mark>" in cmp
    default = rich.get("/compare").text  # the two latest days
    assert 'value="2026-03-11"' in default and 'value="2026-03-12"' in default


def test_timeline_page_draws_svg(rich):
    html = rich.get("/timeline", params={"metric": "limit_up"}).text
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 3 and root.find(f"{ns}polyline") is not None
    bars = rich.get("/timeline", params={"kind": "theme", "name": "算力"}).text
    assert bars.count('<rect class="bar"') == 3


def test_pages_send_no_external_references(rich):
    for path in ["/", "/search?q=算力", "/day/2026-03-10", "/compare", "/timeline", "/api"]:
        r = rich.get(path)
        assert r.status_code == 200, path
        assert not re.search(r'(src|href)="(https?:)?//', r.text), path
        assert "default-src 'none'" in r.headers["content-security-policy"]


def test_pages_never_write(tmp_path):
    url = str(tmp_path / "ro.db")
    fill(url)
    before = hashlib.sha256(Path(url).read_bytes()).hexdigest()
    client = _client(url)
    for path in ["/", "/search?q=算力", "/day/2026-03-10", "/compare", "/timeline?company=中际旭创", "/api/days"]:
        assert client.get(path).status_code == 200
    assert hashlib.sha256(Path(url).read_bytes()).hexdigest() == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_page_on_each_backend(backend, tmp_path):
    url, cleanup = make_url(backend, tmp_path)
    try:
        fill(url)
        client = _client(url)
        aid = client.get("/api/articles").json()[0]["article_id"]
        for path in ["/", "/search?q=净利润", f"/article/{aid}", "/day/2026-03-10",
                     "/compare?day1=2026-03-10&day2=2026-03-11", "/timeline?theme=算力", "/api/search?q=算力"]:
            assert client.get(path).status_code == 200, path
    finally:
        cleanup()


# ---------------------------------------------------------------- pieces
def test_mark_overlapping_spans():
    text = "涨停80家<b>"
    html = mark(text, [Span(0, 5, "market", "m", "market-limit_up"), Span(2, 5, "figure", "f", "figure-0"),
                       Span(3, 99, "figure", "beyond the text", "figure-9")])
    assert html == ('<mark class="k-market" id="market-limit_up" title="m">涨停</mark>'
                    '<mark class="k-figure k-market" id="figure-0" title="m · f">80家</mark>&lt;b&gt;')


def test_parse_hits():
    assert parse_hits(["1-3", "10-12"]) == [(1, 3), (10, 12)]
    for bad in (["3-1"], ["x"], ["1-"], ["١-٣"], ["-1-3"]):
        assert parse_hits(bad) is None


def test_chart_svg():
    for points, bars in [([("a", 1.0), ("b", None), ("c", 3.0)], False), ([("a", 5.0)], True),
                         ([("a", 2.0), ("b", 2.0)], False), ([], False), ([("a", None)], True),
                         ([(f"d{i}", float(i * 1e11)) for i in range(12)], False)]:
        root = ET.fromstring(str(chart(points, title="t<&>", bars=bars)))
        assert root.tag.endswith("svg")
    gap = str(chart([("a", 1.0), ("b", None), ("c", 3.0), ("d", 4.0)], title="x"))
    assert gap.count("<polyline") == 2


@pytest.mark.parametrize("value,text", [(1.44e12, "1.44万亿"), (8e10, "800亿"), (960000, "96万"), (61.0, "61"),
                                        (0.39, "0.39"), (None, "-"), (-2.5e8, "-2.5亿")])
def test_human(value, text):
    assert human(value) == text


# ---------------------------------------------------------------- recap serve
def _recap(*args, **kw):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "extractor", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent, **kw)


def test_serve_refuses_a_missing_store(tmp_path):
    p = _recap("serve", "--db", str(tmp_path / "none.db"), "--port", "1")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 1 and err.decode().strip().splitlines() == [f"error: {tmp_path / 'none.db'}: no such store"]


def test_serve_answers_on_localhost():
    import json
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = _recap("serve", "--db", rich_db(), "--port", str(port))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/days", timeout=5) as r:
                    days = json.load(r)
                break
            except OSError:
                assert p.poll() is None, p.communicate()[1].decode()
                assert time.monotonic() < deadline, "recap serve did not answer"
                time.sleep(0.3)
        assert [d["date"] for d in days] == ["2026-03-12", "2026-03-11", "2026-03-10"]
    finally:
        p.terminate()
        p.communicate(timeout=30)


def test_a_crash_is_a_500_page_not_a_traceback(rich, monkeypatch):
    from extractor.web import queries

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "day_summary", boom)
    for path, kind in (("/day/2026-03-10", "text/html"), ("/api/day/2026-03-10", "application/json")):
        r = rich.get(path)
        assert r.status_code == 500 and r.headers["content-type"].startswith(kind)
        assert "secret internals" not in r.text and "Traceback" not in r.text
