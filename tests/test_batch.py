"""`recap parse` on many articles: worker processes, input order, errors, crashes, resuming."""
import json
import os
import subprocess
import sys

import pytest

from extractor.batch import Settings, _write_huge, remove_spooled, scan_jsonl
from extractor.pipeline import article_id, pipeline_version

from .conftest import ROOT

ARTICLES = {
    "a.txt": "2024年12月19日收评：沪指涨0.5%，两市成交额1.44万亿，涨停80家，跌停25家，封板率70%。",
    "b.txt": "友好集团7板，麦格米特4天2板。",
    "c.md": "传闻字节跳动2025年资本开支将达1600亿元，同比增长50%。",
    "d.txt": "算力板块大涨，中际旭创涨停，成交额300亿。",
    "e.html": "<p>跌停3家，炸板率20%</p>",
}

# Runs the CLI with `pipeline.extract` replaced, in the main process and so (forked) in the workers.
PATCHED = """
import os, sys
import extractor.pipeline as p
real = p.extract
def patched(text, **kw):
    src = os.path.basename(kw.get("source") or "")
    if "crash" in src:
        os._exit(7)
    if "killed" in src:
        os.kill(os.getpid(), 9)
    if "buggy" in src:
        raise ValueError("a component tripped\\nover two lines")
    return real(text, **kw)
p.extract = patched
from extractor.cli import main
sys.argv = ["recap", *sys.argv[1:]]
main()
"""


def recap(*args, patched=False, stderr=None):
    cmd = [sys.executable, "-c", PATCHED] if patched else [sys.executable, "-m", "extractor"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=stderr is None, stderr=stderr,
                          cwd=ROOT, timeout=300)


@pytest.fixture()
def folder(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, text in ARTICLES.items():
        (src / name).write_text(text, encoding="utf-8")
    return src


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_workers_write_what_one_process_writes_in_input_order(folder, tmp_path):
    r1 = recap("parse", folder, "--jsonl", tmp_path / "one.jsonl", "--jobs", "1")
    r2 = recap("parse", folder, "--jsonl", tmp_path / "two.jsonl", "--jobs", "2")
    r3 = recap("parse", folder, "--out", tmp_path / "out", "--jobs", "3")
    assert r1.returncode == r2.returncode == r3.returncode == 0, (r1.stderr, r2.stderr, r3.stderr)
    assert r1.stderr == r2.stderr == b""  # quiet when stderr is not a terminal
    one, two = lines(tmp_path / "one.jsonl"), lines(tmp_path / "two.jsonl")
    assert one == two
    assert [os.path.basename(a["source"]) for a in one] == sorted(ARTICLES)
    for article in one:
        stem = os.path.splitext(os.path.basename(article["source"]))[0]
        assert json.loads((tmp_path / "out" / f"{stem}.json").read_text(encoding="utf-8")) == article
    assert not (tmp_path / "out" / "errors.jsonl").exists()
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_bad_file_is_an_error_record_and_the_run_goes_on(folder, tmp_path):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00\xff")
    out = tmp_path / "out"
    r = recap("parse", folder, tmp_path / "missing.txt", "--out", out, "--jobs", "2")
    assert r.returncode == 1
    err = r.stderr.decode().splitlines()
    assert len(err) == 3 and all(x.startswith("error: ") for x in err), err
    assert any("empty.txt: empty file" in x for x in err) and any("missing.txt" in x for x in err)
    records = lines(out / "errors.jsonl")
    assert sorted(os.path.basename(x["source"]) for x in records) == ["binary.txt", "empty.txt", "missing.txt"]
    assert {x["kind"] for x in records} == {"input"}
    assert all(x["pipeline_version"] == pipeline_version() for x in records)
    assert sorted(p.name for p in out.glob("*.json")) == ["a.json", "b.json", "c.json", "d.json", "e.json"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers inherit the patch by fork")
def test_worker_crash_and_exception_are_isolated(folder, tmp_path):
    for name in ("crash.txt", "killed.txt", "buggy.txt"):
        (folder / name).write_text("涨停80家", encoding="utf-8")
    jsonl = tmp_path / "all.jsonl"
    r = recap("parse", folder, "--jsonl", jsonl, "--jobs", "2", patched=True)
    assert r.returncode == 1
    err = sorted(r.stderr.decode().splitlines())
    assert len(err) == 3, err
    assert "buggy.txt: internal error (ValueError: a component tripped over two lines)" in err[0]
    assert "crash.txt: worker crashed (exit status 7)" in err[1]
    assert "killed.txt: worker crashed (killed by SIGKILL)" in err[2]
    records = {os.path.basename(x["source"]): x["kind"] for x in lines(tmp_path / "all.errors.jsonl")}
    assert records == {"buggy.txt": "internal", "crash.txt": "crash", "killed.txt": "crash"}
    assert sorted(os.path.basename(a["source"]) for a in lines(jsonl)) == sorted(ARTICLES)


# A worker killed while it streams a huge article into the output folder (here: every article is
# "huge", and the one named killed.txt dies after its first bytes).
KILLED_WHILE_STREAMING = """
import os, sys
import extractor.pipeline as p
p.HUGE_ARTICLE_CHARS = 1
real = p.write_in_pieces
def patched(text, out, **kw):
    if "killed" in os.path.basename(kw.get("source") or ""):
        out.write(b'{"article_id": "half-written"')
        out.flush()
        os.kill(os.getpid(), 9)
    return real(text, out, **kw)
p.write_in_pieces = patched
from extractor.cli import main
sys.argv = ["recap", *sys.argv[1:]]
main()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers inherit the patch by fork")
@pytest.mark.parametrize("target", ["out", "jsonl"])
def test_worker_killed_mid_huge_article_leaves_no_temporary_file(folder, tmp_path, target):
    (folder / "killed.txt").write_text("涨停80家，跌停3家。" * 5, encoding="utf-8")
    dest = tmp_path / "dest"
    dest.mkdir()
    where = ["--out", dest] if target == "out" else ["--jsonl", dest / "all.jsonl"]
    cmd = [sys.executable, "-c", KILLED_WHILE_STREAMING, "parse", folder, *where, "--jobs", "2"]
    r = subprocess.run([*map(str, cmd)], capture_output=True, cwd=ROOT, timeout=300)
    assert r.returncode == 1
    assert "killed.txt: worker crashed (killed by SIGKILL)" in r.stderr.decode()
    assert not [p.name for p in dest.iterdir() if p.name.endswith((".tmp", ".part"))]
    if target == "out":
        assert sorted(p.stem for p in dest.glob("*.json")) == sorted(n.split(".")[0] for n in ARTICLES)
    else:
        assert sorted(os.path.basename(a["source"]) for a in lines(dest / "all.jsonl")) == sorted(ARTICLES)


def test_a_dead_workers_finished_huge_output_is_kept_for_the_writer(tmp_path):
    # A worker that finished a huge article and then died: its result (a spooled file) may still
    # wait for earlier articles, so only what it left unfinished goes.
    spool = tmp_path / "spool"
    spool.mkdir()
    finished = _write_huge("涨停80家，跌停3家。", "a.txt", "id", Settings(spool_dir=str(spool)))
    unfinished = spool / f".recap-{os.getpid()}-0123456789ab.json.part"
    unfinished.write_bytes(b'{"article_id": "half')
    other = spool / ".recap-1-0123456789ab.json.part"  # another worker's
    other.write_bytes(b"{")
    remove_spooled(str(spool), os.getpid())
    assert sorted(p.name for p in spool.iterdir()) == sorted([os.path.basename(finished), other.name])
    assert json.loads(open(finished, encoding="utf-8").read())["article_id"] == "id"


def test_rerun_resumes_out_dir(folder, tmp_path):
    out = tmp_path / "out"
    assert recap("parse", folder, "--out", out, "--jobs", "2").returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    (folder / "b.txt").write_text("友好集团8板", encoding="utf-8")  # changed article: redone
    (out / "c.json").unlink()  # missing output: redone
    stale = json.loads((out / "d.json").read_text(encoding="utf-8"))
    stale["pipeline_version"] = "0.0.0+old"  # other pipeline: redone
    (out / "d.json").write_text(json.dumps(stale), encoding="utf-8")
    (out / "e.json").write_text('{"article_id": ', encoding="utf-8")  # unreadable: redone
    os.utime(out / "d.json", ns=(before["d.json"], before["d.json"]))
    os.utime(out / "e.json", ns=(before["e.json"], before["e.json"]))
    assert recap("parse", folder, "--out", out, "--jobs", "2").returncode == 0
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    redone = sorted(name for name in after if after[name] != before.get(name))
    assert redone == ["b.json", "c.json", "d.json", "e.json"]
    assert json.loads((out / "d.json").read_text(encoding="utf-8"))["pipeline_version"] == pipeline_version()
    assert json.loads((out / "b.json").read_text(encoding="utf-8"))["article_id"] == article_id("友好集团8板")
    again = recap("parse", folder, "--out", out, "--force")
    assert again.returncode == 0
    assert all(p.stat().st_mtime_ns != after[p.name] for p in out.glob("*.json"))


def test_rerun_resumes_jsonl_and_redoes_a_cut_off_last_line(folder, tmp_path):
    jsonl = tmp_path / "all.jsonl"
    assert recap("parse", folder, "--jsonl", jsonl, "--jobs", "2").returncode == 0
    full = jsonl.read_bytes()
    first, *_ = full.splitlines(keepends=True)
    # A killed run: two complete lines and half of a third.
    partial = b"".join(full.splitlines(keepends=True)[:2]) + full.splitlines(keepends=True)[2][:40]
    jsonl.write_bytes(partial)
    (folder / "f.txt").write_text("跌停25家", encoding="utf-8")  # a new article
    (folder / "dup.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")  # same article again
    assert recap("parse", folder, "--jsonl", jsonl, "--jobs", "2").returncode == 0
    got = lines(jsonl)
    assert len(got) == 6 and len({a["article_id"] for a in got}) == 6
    assert jsonl.read_bytes().startswith(partial[:partial.rfind(b"\n") + 1])
    assert recap("parse", folder, "--jsonl", jsonl).returncode == 0
    assert len(lines(jsonl)) == 6


def test_scan_jsonl_ignores_other_versions_and_broken_lines(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        b'{"article_id": "aaa", "pipeline_version": "V"}\n'
        b'{"article_id": "bbb", "pipeline_version": "old"}\n'
        b'not json\n'
        b'{"article_id": "ccc", "pipeline_version": "V"}'
    )
    assert scan_jsonl(path, "V") == {"aaa"}
    assert path.read_bytes().endswith(b"not json\n")


def test_progress_bar_on_a_terminal(folder, tmp_path):
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    try:
        r = recap("parse", folder, "--jsonl", tmp_path / "x.jsonl", "--jobs", "2", stderr=slave)
        os.close(slave)
        screen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(master)
    assert r.returncode == 0
    text = screen.decode("utf-8", "replace")
    assert "articles" in text and "MB/s" in text and "5 written" in text


def test_stdin_still_goes_to_stdout():
    r = subprocess.run([sys.executable, "-m", "extractor", "parse", "-", "--jobs", "4"],
                       input="涨停80家".encode(), capture_output=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and r.stderr == b""
    assert json.loads(r.stdout)["source"] is None


def test_workers_are_replaced_after_their_quota(folder, monkeypatch):
    from extractor import workers
    from extractor.batch import Settings, Task

    monkeypatch.setattr(workers, "ARTICLES_PER_WORKER", 2)
    tasks = [Task(i, str(p), p.stem) for i, p in enumerate(sorted(folder.iterdir()))]
    with workers.WorkerPool(2, Settings()) as pool:
        first = [w.process.pid for w in pool.workers]
        results = list(pool.map(tasks))
        assert {w.process.pid for w in pool.workers} != set(first)  # 5 articles > 2 workers x 2
    assert [r.index for r in results] == list(range(len(tasks)))
    assert all(r.status == "ok" for r in results)


@pytest.mark.parametrize("head_bytes", [1 << 20, 150, 3], ids=["whole", "head", "tiny-head"])
def test_resume_reads_only_the_head_of_long_outputs(tmp_path, monkeypatch, head_bytes):
    import orjson

    from extractor import batch

    monkeypatch.setattr(batch, "HEAD_BYTES", head_bytes)
    arts = [{"schema_version": 1, "source": f"a{i}.txt", "article_id": f"id{i}", "script": "simplified",
             "pipeline_version": "v1" if i != 2 else "v0", "figures": [{"text": "x" * 200}] * i}
            for i in range(4)]
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in arts) + b"\n" + b'{"article_id": "cut')
    expected = {"id0", "id1", "id3"} if head_bytes > 3 else set()
    assert batch.scan_jsonl(path, "v1") == expected
    assert path.read_bytes().endswith(b"\n\n")  # the partial last line is cut off
    one = tmp_path / "one.json"
    one.write_bytes(orjson.dumps(arts[3], option=orjson.OPT_INDENT_2) + b"\n")
    assert batch._written(str(one), "id3", "v1") is (head_bytes > 3)
    assert not batch._written(str(one), "id3", "v0")
    one.write_bytes(one.read_bytes()[:-30])
    assert not batch._written(str(one), "id3", "v1")
