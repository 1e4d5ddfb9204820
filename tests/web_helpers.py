"""Stores for the web tests: the repository's example corpus ingested once per test run, and a small
store of hand-built articles whose every dimension is filled (texts written for these tests)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from extractor.store import open_store

from .store_helpers import article

ROOT = Path(__file__).resolve().parent.parent

# Hand-built articles: companies, themes, boards, market statistics and claims all present.
DAY1 = ("今日两市涨停62家，跌停9家，成交额1.2万亿。算力方向走强，中际旭创涨超5%，液冷概念午后拉升。"
        "高位股方面，甲乙科技晋级4板，丙丁股份3板。机构预计中际旭创2026年净利润120亿元。")
DAY1B = "另一篇复盘：今日涨停65家，跌停9家。中际旭创2026年净利润预计达到150亿元，算力仍是主线。"
DAY2 = ("今日两市涨停48家，跌停15家，成交额1.05万亿。机器人板块领涨，算力分化。"
        "甲乙科技晋级5板，丙丁股份断板，戊己电子首板。机构预计中际旭创2026年净利润135亿元。")
# Text that must be shown as text: markup, entities, quotes.
HOSTILE = '标题<script>alert("x")</script> & <b>粗体</b> &amp; 今日涨停70家，算力走强。'


def rich_articles():
    return [
        (article(DAY1, date="2026-03-10", source="a/day1.txt",
                 market={"limit_up": 62, "limit_up_text": "涨停62家", "limit_down": 9, "limit_down_text": "跌停9家",
                         "turnover": 1.2e12, "turnover_text": "1.2万亿"},
                 themes=["算力", "液冷"], boards={"甲乙科技": 4, "丙丁股份": 3}, companies={"中际旭创": "300308"},
                 claims=[("中际旭创", "净利润", "2026", 1.2e10, "CNY", "120亿元", "forecast"),
                         ("中际旭创", "涨幅", None, 5, "percent", "5%")]), DAY1),
        (article(DAY1B, date="2026-03-10", source="b/other.txt",
                 market={"limit_up": 65, "limit_up_text": "涨停65家", "limit_down": 9},
                 themes=["算力"], companies={"中际旭创": "300308"},
                 claims=[("中际旭创", "净利润", "2026", 1.5e10, "CNY", "150亿元", "forecast")]), DAY1B),
        (article(DAY2, date="2026-03-11", source="a/day2.txt",
                 market={"limit_up": 48, "limit_up_text": "涨停48家", "limit_down": 15, "turnover": 1.05e12},
                 themes=["机器人", "算力"], boards={"甲乙科技": 5, "戊己电子": 1}, companies={"中际旭创": "300308"},
                 claims=[("中际旭创", "净利润", "2026", 1.35e10, "CNY", "135亿元", "forecast")]), DAY2),
        (article(HOSTILE, date="2026-03-12", source="c/<hostile>.txt",
                 market={"limit_up": 70, "limit_up_text": "涨停70家"}, themes=["算力"],
                 claims=[("", "涨停", None, 70, "count", "70家")]), HOSTILE),
    ]


def fill(url: str) -> None:
    with open_store(url) as store, store.batch():
        for a, text in rich_articles():
            store.ingest(a, text)


def _tmpdir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="recap-web-"))
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


@lru_cache(maxsize=None)
def corpus_db() -> str:
    """A SQLite store of corpus/articles and seeds/, parsed by the pipeline (built once per run)."""
    from extractor.store.ingest import ingest_paths

    url = str(_tmpdir() / "corpus.db")
    cwd = os.getcwd()
    os.chdir(ROOT)  # sources relative to the repository, as `recap ingest corpus/articles seeds` stores them
    try:
        with open_store(url) as store:
            report = ingest_paths(store, ["corpus/articles", "seeds"])
    finally:
        os.chdir(cwd)
    assert not report.errors, report.errors
    return url


@lru_cache(maxsize=None)
def rich_db() -> str:
    url = str(_tmpdir() / "rich.db")
    fill(url)
    return url
