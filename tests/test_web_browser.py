"""End to end in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against `recap serve`'s app on a free loopback port, over the example corpus ingested into SQLite.

Screenshots go to the test's tmp dir, and also to $RECAP_WEB_SHOTS when set (to look at them).
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("playwright", reason="playwright is not installed: pip install -e '.[test]'")

from .web_helpers import corpus_db  # noqa: E402

CHROMIUM = os.environ.get("RECAP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no chromium binary at {CHROMIUM} (install Debian's chromium: .ci/chromium.sh; CI has it)")


@pytest.fixture(scope="module")
def server():
    """The app on 127.0.0.1:<free port>, served by uvicorn in a thread; yields the base URL."""
    import uvicorn

    from extractor.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(corpus_db()), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server, tmp_path, request):
    """A fresh page that fails the test on any request leaving the server, or a console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    pg = context.new_page()
    outside, errors = [], []
    pg.on("request", lambda r: r.url.startswith(server) or r.url.startswith("data:") or outside.append(r.url))
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.shots = []

    def shot(name):
        path = tmp_path / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        pg.shots.append(path)
        keep = os.environ.get("RECAP_WEB_SHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)
        return path

    pg.shot = shot
    yield pg
    context.close()
    assert not outside, f"requests outside the server: {outside}"
    assert not [e for e in errors if "status of 4" not in e], errors  # error pages are expected 4xx


def _article_ids(page):
    return {a["source"]: a["article_id"] for a in page.request.get("/api/articles").json()}


def test_search(page):
    page.goto("/")
    page.fill("header input[name=q]", "涨停")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    hits = page.locator("li.hit")
    assert hits.count() >= 5
    marked = set(page.locator("li.hit .snippet mark").all_inner_texts())
    assert marked == {"涨停", "漲停"}  # the query matches either script
    assert page.shot("search").stat().st_size > 10_000


def test_search_filters(page):
    page.goto("/search")
    page.fill("#q", "涨停")
    page.fill("#since", "2025-03-13")
    page.fill("#until", "2025-03-14")
    page.click("#search-button")
    page.wait_for_selector("#hit-count")
    dates = page.locator("li.hit .date").all_inner_texts()
    assert dates and set(dates) <= {"2025-03-13", "2025-03-14"}
    assert page.input_value("#q") == "涨停"  # the form keeps what was asked


def test_open_article_from_search_shows_highlights(page):
    page.goto("/search?q=封板率")
    page.locator("li.hit a.source", has_text="2025-03-14").first.click()
    page.wait_for_selector("#article-text")
    assert "2025-03-14-simplified-close" in page.title()
    hit = page.locator("#article-text mark.k-hit")
    assert hit.count() >= 1 and hit.first.inner_text() == "封板率"
    figures = page.locator("#article-text mark.k-figure")
    article = page.request.get("/api/article/" + page.url.split("/article/")[1].split("?")[0]).json()["article"]
    assert figures.count() >= len({(f["start"], f["end"]) for f in article["figures"]}) > 10
    assert "figure:" in figures.first.get_attribute("title")
    for kind, items in (("company", article["companies"]), ("theme", article["themes"])):
        if any(i["mentions"] for i in items):  # once the extractor finds them, they are marked too
            assert page.locator(f"#article-text mark.k-{kind}").count() >= 1
    yellow = figures.first.evaluate("e => getComputedStyle(e).backgroundColor")
    page.shot("article")
    page.click("label[for=show-figure]")  # the legend hides a kind
    assert figures.first.evaluate("e => getComputedStyle(e).backgroundColor") != yellow
    page.click("details.json summary")
    assert '"article_id"' in page.locator("details.json pre").inner_text()


def test_article_text_is_shown_as_text(page):
    page.goto(f"/article/{_article_ids(page)['corpus/articles/2024-12-19-traditional-recap.txt']}")
    text = page.locator("#article-text")
    assert text.inner_text().startswith("<p>2024年12月19日")  # the markup in the file is text here
    assert text.locator("p").count() == 0
    page.shot("article-traditional")


def test_day_page(page):
    page.goto("/")
    page.click("table.days a[href='/day/2025-03-14']")
    page.wait_for_selector("h1:has-text('2025-03-14')")
    assert page.locator("#previous-day").inner_text().endswith("2025-03-13")
    page.click("#next-day")
    page.wait_for_selector("h1:has-text('2025-03-17')")
    assert page.locator("ul.articles li").count() == 2
    page.shot("day")


def test_compare_two_days(page):
    page.goto("/compare")
    page.fill("#day1", "2025-03-13")
    page.fill("#day2", "2025-03-17")
    page.click("#compare-button")
    title = page.wait_for_selector("#compare-title")
    assert "2025-03-13" in title.inner_text() and "2025-03-17" in title.inner_text()
    assert "(2 articles)" in title.inner_text()
    for section in ("Market", "Themes", "Board ladder", "Claims whose value changed", "Same-day conflicts"):
        assert page.locator(f"h3:has-text('{section}')").count() == 1
    body = page.request.get("/api/compare?day1=2025-03-13&day2=2025-03-17").json()
    assert page.locator("#compare-market tr").count() == (len(body["market"]) + 1 if body["market"] else 0)
    page.shot("compare")


def test_timeline_chart(page):
    page.goto("/timeline")
    page.select_option("#kind", "company")
    page.fill("#name", "友好集团")
    page.click("#timeline-button")
    svg = page.wait_for_selector("#chart svg.chart")
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    bars = page.locator("#chart rect.bar")
    assert bars.count() == 4  # it is named on each of the four trading days
    assert page.locator("#chart .chart-title").text_content() == "友好集团: mentions per day"
    heights = [b.bounding_box()["height"] for b in bars.all()]
    assert heights[-1] > heights[0] > 0  # two mentions on 2025-03-17, one on the other days
    page.shot("timeline-company")
    page.click("text=涨停 limit-up")
    page.wait_for_selector("#chart svg.chart")
    assert page.locator("#timeline-table tr").count() == 5
    page.shot("timeline-limit-up")


def test_bad_requests_show_pages(page):
    r = page.goto("/article/no-such-article")
    assert r.status == 404 and "no article" in page.inner_text("#error-message")
    r = page.goto("/day/2025-02-30")
    assert r.status == 422 and "YYYY-MM-DD" in page.inner_text("#error-message")
    page.goto("/search")
    page.click("#search-button")
    assert "empty query" in page.inner_text("#error-message")
    page.shot("error-empty-query")
