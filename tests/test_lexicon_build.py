"""The generated company lexicon: sanity checks, and byte-for-byte reproduction when the sources exist."""
from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TSV = ROOT / "rules" / "companies.tsv"
DELISTED = ROOT / "rules" / "companies_delisted.tsv"
SCRIPT = ROOT / "scripts" / "build_company_lexicon.py"
SOURCES = ("chstockdata", "adata", "cnequity")


def load_rows():
    lines = [ln for ln in TSV.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def rows():
    return load_rows()


@pytest.fixture(scope="module")
def by_code(rows):
    return {r["code"]: r for r in rows}


def test_header_and_provenance():
    lines = TSV.read_text(encoding="utf-8").splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    assert any("chstockdata" in c and "adata" in c and "cnequity" in c for c in comments)
    assert any(c.startswith("# generated:") for c in comments)
    first_data = next(ln for ln in lines if not ln.startswith("#"))
    assert first_data.split("\t") == ["code", "exchange", "name", "former_names", "variants"]


def test_rows_well_formed(rows):
    assert len(rows) > 5000
    for r in rows:
        assert re.fullmatch(r"\d{6}", r["code"]), r
        assert r["exchange"] in {"SH", "SZ", "BJ"}, r
        assert r["name"] and "\t" not in r["name"] and " " not in r["name"], r
        assert not r["code"].startswith(("20", "90")), f"B-share in A-share lexicon: {r}"


def test_exchange_matches_code(rows):
    for r in rows:
        expected = {"60": "SH", "68": "SH", "00": "SZ", "30": "SZ", "92": "BJ"}.get(r["code"][:2])
        assert expected == r["exchange"], r


def test_no_duplicate_codes(rows):
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_former_names_and_variants_unambiguous(rows):
    owner = {}
    for r in rows:
        for f in filter(None, r["former_names"].split("|") + r["variants"].split("|")):
            assert owner.setdefault(f, r["code"]) == r["code"], f"{f} claimed by {owner[f]} and {r['code']}"


@pytest.mark.parametrize("code,exchange,name", [
    ("600778", "SH", "友好集团"),
    ("300308", "SZ", "中际旭创"),
    ("002837", "SZ", "英维克"),
    ("688256", "SH", "寒武纪"),
    ("688981", "SH", "中芯国际"),
    ("600519", "SH", "贵州茅台"),
])
def test_known_rows(by_code, code, exchange, name):
    assert by_code[code]["exchange"] == exchange
    assert by_code[code]["name"] == name


def test_renamed_stock_keeps_former_name(by_code):
    row = by_code["300548"]
    assert row["name"] == "长芯博创"
    assert "博创科技" in row["former_names"].split("|")


def test_variants(by_code):
    assert "万科" in by_code["000002"]["variants"].split("|")  # 万科A
    st = next(r for r in by_code.values() if r["name"].startswith("*ST"))
    assert st["name"][3:] in st["variants"].split("|")


def test_beijing_stocks_use_new_codes(rows):
    bj = [r for r in rows if r["exchange"] == "BJ"]
    assert len(bj) > 150
    assert all(r["code"].startswith("92") for r in bj)


def _source_dir():
    env = os.environ.get("LEXICON_SOURCE_DIR")
    if env:
        return env
    if all(importlib.util.find_spec(p) is not None for p in SOURCES):
        return None
    return False


def test_script_reproduces_committed_tsv(tmp_path):
    src = _source_dir()
    if src is False:
        pytest.skip("build sources (chstockdata, adata, cnequity) not installed and LEXICON_SOURCE_DIR unset")
    out = tmp_path / "companies.tsv"
    out.write_bytes(TSV.read_bytes())
    (tmp_path / DELISTED.name).write_bytes(DELISTED.read_bytes())
    cmd = [sys.executable, str(SCRIPT), "--out", str(out), "--check"]
    if src:
        cmd += ["--source-dir", src]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == TSV.read_bytes()
    assert (tmp_path / DELISTED.name).read_bytes() == DELISTED.read_bytes()
    # and a build from scratch gives the same rows (only the generation date line may differ)
    fresh = tmp_path / "fresh" / "companies.tsv"
    cmd = [sys.executable, str(SCRIPT), "--out", str(fresh)] + (["--source-dir", src] if src else [])
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    for got, want in ((fresh, TSV), (fresh.with_name(DELISTED.name), DELISTED)):
        strip = lambda t: [ln for ln in t.splitlines() if not ln.startswith("# generated:")]  # noqa: E731
        assert strip(got.read_text(encoding="utf-8")) == strip(want.read_text(encoding="utf-8"))


def test_delisted_sidecar():
    lines = [ln for ln in DELISTED.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    listed = {r["code"] for r in load_rows()}
    assert rows and all(re.fullmatch(r"\d{6}", r["code"]) and r["code"] not in listed for r in rows)
    assert any(r["name"] == "海通证券" for r in rows)
