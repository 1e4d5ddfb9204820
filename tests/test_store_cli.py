"""`recap ingest/search/timeline/compare` as a user runs them, incl. a SIGKILL in the middle of an ingest."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from extractor.store import StoreError, open_store

from .conftest import ROOT
from .store_helpers import BACKENDS, article, make_url
from .test_store import DAY1, DAY2, day1_article, day2_article


def recap(*args, cwd=None, env=None):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, cwd=cwd, env=e)


def start_recap(*args, cwd=None):
    e = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "extractor", *args], cwd=cwd, env=e,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    u, cleanup = make_url(request.param, tmp_path)
    yield u
    cleanup()


def write_json(path, a, text=None):
    d = a.model_dump(mode="json")
    if text is not None:
        d["text"] = text
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return d


def test_ingest_text_files_then_search(url, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "2026-03-10.txt").write_text("今日算力方向走强，液冷服务器概念拉升，涨停62家。", encoding="utf-8")
    (src / "2026-03-11.html").write_text("<p>機器人板塊領漲，<b>液冷</b>分化。</p>", encoding="utf-8")
    r = recap("ingest", str(src), "--db", url)
    assert r.returncode == 0, r.stderr
    assert b"2 added" in r.stderr
    r = recap("search", "液冷", "--db", url, "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert {h["trading_date"] for h in hits} == {"2026-03-10", "2026-03-11"}
    assert any("<mark>液冷</mark>" in h["snippet_html"] for h in hits)
    r = recap("search", "機器人", "--db", url)
    assert r.returncode == 0 and "【機器人】" in r.stdout.decode()
    r = recap("search", '"液冷 NEAR(算力) OR *\'; DROP TABLE articles; --', "--db", url)
    assert r.returncode == 0 and b"Traceback" not in r.stderr and b"no matches" in r.stderr
    r = recap("ingest", str(src), "--db", url)  # again: nothing changes
    assert r.returncode == 0 and b"0 added, 0 replaced, 2 unchanged" in r.stderr


def test_default_store_is_recap_db_in_current_folder_or_env(tmp_path):
    (tmp_path / "a.txt").write_text("算力方向走强", encoding="utf-8")
    r = recap("ingest", "a.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "recap.db").exists()
    r = recap("ingest", "a.txt", cwd=tmp_path, env={"RECAP_DB": str(tmp_path / "other.db")})
    assert r.returncode == 0 and (tmp_path / "other.db").exists()
    r = recap("search", "算力", "--db", str(tmp_path / "missing.db"))
    assert r.returncode == 1 and r.stderr.decode().startswith("error: ") and b"Traceback" not in r.stderr


def test_malformed_json_is_one_line_error_and_rest_is_stored(url, tmp_path):
    write_json(tmp_path / "first.json", day1_article(), DAY1)
    assert recap("ingest", str(tmp_path / "first.json"), "--db", url).returncode == 0
    good = json.dumps(day2_article().model_dump(mode="json"), ensure_ascii=False)
    third = article("第三篇：算力分化。", date="2026-03-12", source="x/3.txt")
    (tmp_path / "batch.jsonl").write_text(
        "\n".join([good, '{"article_id": "x", broken', "", "[1, 2]",
                   json.dumps({"article_id": "abc", "script": "klingon", "pipeline_version": "t"}),
                   third.model_dump_json()]) + "\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    r = recap("ingest", str(tmp_path / "batch.jsonl"), str(tmp_path / "bad.json"), "--db", url)
    assert r.returncode == 1
    errors = [x for x in r.stderr.decode().splitlines() if x.startswith("error: ")]
    assert len(errors) == 4, r.stderr.decode()
    assert errors[0].startswith(f"error: {tmp_path / 'batch.jsonl'}: line 2: invalid JSON")
    assert errors[1].startswith(f"error: {tmp_path / 'batch.jsonl'}: line 4: not an article")
    assert "line 5: not an article: script" in errors[2]
    assert errors[3].startswith(f"error: {tmp_path / 'bad.json'}: invalid JSON")
    assert "Traceback" not in r.stderr.decode()
    with open_store(url, read_only=True) as s:
        assert s.counts()["articles"] == 3 and s.check() == []
        assert s.article(day1_article().article_id)[1] == DAY1  # what was stored before is intact


def test_parsed_json_finds_its_original_text(tmp_path):
    (tmp_path / "2026-03-10.txt").write_text("今日算力方向走强，液冷服务器概念拉升。", encoding="utf-8")
    r = recap("parse", "2026-03-10.txt", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = recap("ingest", "out", "--db", "s.db", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = recap("search", "液冷", "--db", "s.db", "--json", cwd=tmp_path)
    hits = json.loads(r.stdout)
    assert hits and hits[0]["kind"] == "text" and "<mark>液冷</mark>" in hits[0]["snippet_html"]


def _count(url):
    try:
        with open_store(url, read_only=True) as s:
            return s.counts()["articles"]
    except (StoreError, sqlite3.Error):
        return 0


def test_sigkill_during_ingest_leaves_a_consistent_store_and_rerun_completes(url, tmp_path):
    n = 120
    src = tmp_path / "many"
    src.mkdir()
    for i in range(n):
        (src / f"{i:03d}.txt").write_text(
            f"第{i}号测试复盘：今日涨停{i + 10}家，算力方向走强，液冷概念活跃，成交额{i + 1}000亿元。\n" * 20,
            encoding="utf-8")
    proc = start_recap("ingest", str(src), "--db", url, "--batch-size", "5")
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None and _count(url) < 10:
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = _count(url)
    assert 10 <= stored < n
    with open_store(url, read_only=True) as s:
        assert s.check() == []
        assert s.counts()["articles"] % 5 == 0  # only whole batches
    if not url.startswith("postgres"):
        conn = sqlite3.connect(url)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    r = recap("ingest", str(src), "--db", url, "--batch-size", "5")
    assert r.returncode == 0, r.stderr
    assert f"{n - stored} added, 0 replaced, {stored} unchanged".encode() in r.stderr
    with open_store(url, read_only=True) as s:
        assert s.counts()["articles"] == n and s.check() == []
        rows = s.db.execute("SELECT count(DISTINCT source_key) AS k FROM articles")
        assert rows[0]["k"] == n
        assert len(s.search("算力", limit=500)) >= n


@pytest.fixture
def two_days(tmp_path):
    db = str(tmp_path / "s.db")
    with open_store(db) as s:
        s.ingest(day1_article(), DAY1)
        s.ingest(day2_article(), DAY2)
    return db


def test_timeline_cli_table_json_and_plot(two_days, tmp_path):
    r = recap("timeline", "--metric", "limit_up", "--db", two_days)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0].split()[:3] == ["date", "limit_up", "articles"]
    assert lines[1].split()[:2] == ["2026-03-10", "62"] and lines[2].split()[:2] == ["2026-03-11", "48"]
    r = recap("timeline", "--company", "中际旭创", "--json", "--db", two_days)
    data = json.loads(r.stdout)
    assert data["kind"] == "company" and [p["value"] for p in data["points"]] == [1, 1]
    pytest.importorskip("matplotlib")
    png = tmp_path / "t.png"
    r = recap("timeline", "--theme", "算力", "--plot", str(png), "--db", two_days)
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Glyph" not in r.stderr and b"Warning" not in r.stderr
    r = recap("timeline", "--metric", "nonsense", "--db", two_days)
    assert r.returncode == 1 and r.stderr.decode().startswith("error: unknown metric")


def test_compare_cli_days_and_files(two_days, tmp_path):
    r = recap("compare", "2026-03-10", "2026-03-11", "--db", two_days)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "limit_up" in out and "-14" in out and "甲乙科技 4→5" in out and "new: 机器人" in out
    r = recap("compare", "2026-03-10", "2026-03-11", "--db", two_days, "--json")
    assert {x["key"] for x in json.loads(r.stdout)["changed"]} == {"中际旭创|净利润|2026", "上证指数|收盘点位|(day)"}
    a = write_json(tmp_path / "a.json", day1_article(), DAY1)
    write_json(tmp_path / "b.json", day2_article(), DAY2)
    r = recap("compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ladder"]["continued"][0]["company"] == "甲乙科技"
    assert a["article_id"]
    r = recap("compare", "2026-03-10", "2026-09-09", "--db", two_days)
    assert r.returncode == 1 and r.stderr.decode().startswith("error: 2026-09-09: no articles")
