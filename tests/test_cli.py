"""The `recap` command as a user runs it: files, folders, stdin, bad inputs."""
import json
import subprocess
import sys

import pytest

from .conftest import ROOT

SEED = ROOT / "seeds" / "000_4089d94d3189c5a0.txt"


def recap(*args, input=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "extractor", *args], input=input,
                          capture_output=True, cwd=cwd)


def test_parse_one_file_to_stdout():
    r = recap("parse", str(SEED))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["schema_version"] == 1 and data["script"] == "traditional"
    assert data["source"].endswith("000_4089d94d3189c5a0.txt")


def test_parse_stdin():
    r = recap("parse", "-", "--date", "2024-12-19", input="涨停80家，跌停25家".encode())
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["source"] is None and data["trading_date"] == "2024-12-19"


def test_parse_folder_to_out_dir(tmp_path):
    src = tmp_path / "in" / "sub"
    src.mkdir(parents=True)
    (src / "a.txt").write_text("涨停80家", encoding="utf-8")
    (src / "b.md").write_text("成交额1.44万亿", encoding="utf-8")
    (src / "ignored.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "out"
    r = recap("parse", str(tmp_path / "in"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


def test_parse_jsonl(tmp_path):
    (tmp_path / "a.txt").write_text("涨停80家", encoding="utf-8")
    (tmp_path / "b.txt").write_text("跌停3家", encoding="utf-8")
    out = tmp_path / "all.jsonl"
    r = recap("parse", str(tmp_path), "--jsonl", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(x)["schema_version"] == 1 for x in lines)


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"\x00\x01\x02binary\x00\xff", "binary"),
], ids=["empty", "binary"])
def test_bad_file_is_one_line_error_and_others_still_parse(tmp_path, content, reason):
    (tmp_path / "bad.txt").write_bytes(content)
    (tmp_path / "good.txt").write_text("涨停80家", encoding="utf-8")
    out = tmp_path / "out"
    r = recap("parse", str(tmp_path), "--out", str(out))
    assert r.returncode == 1
    err = r.stderr.decode().strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "bad.txt" in err[0] and reason in err[0]
    assert "Traceback" not in r.stderr.decode()
    assert (out / "good.json").exists() and not (out / "bad.json").exists()


def test_missing_path_is_an_error():
    r = recap("parse", "/nonexistent/recap.txt")
    assert r.returncode == 1
    assert r.stderr.decode().startswith("error: /nonexistent/recap.txt")


def test_bad_date_option():
    r = recap("parse", str(SEED), "--date", "2024-13-40")
    assert r.returncode != 0 and b"YYYY-MM-DD" in r.stderr


def test_schema_command():
    r = recap("schema")
    assert r.returncode == 0
    assert json.loads(r.stdout)["title"] == "Article"
