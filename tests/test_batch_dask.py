"""`recap parse --engine dask`: the same outputs from a real distributed.LocalCluster."""
import json
import subprocess
import sys

import pytest

from .conftest import ROOT
from .test_batch import ARTICLES, lines

pytest.importorskip("distributed")


def test_local_cluster_writes_what_worker_processes_write(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, text in ARTICLES.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    r1 = subprocess.run([sys.executable, "-m", "extractor", "parse", str(src), "--jsonl", str(local),
                         "--jobs", "2"], capture_output=True, cwd=ROOT, timeout=300)
    r2 = subprocess.run([sys.executable, "-m", "extractor", "parse", str(src), "--jsonl", str(dask),
                         "--engine", "dask", "--jobs", "2"], capture_output=True, cwd=ROOT, timeout=300)
    assert r1.returncode == r2.returncode == 1, (r1.stderr, r2.stderr)
    assert r2.stderr.decode().splitlines() == r1.stderr.decode().splitlines()
    assert lines(dask) == lines(local) and len(lines(dask)) == len(ARTICLES)
    assert lines(tmp_path / "dask.errors.jsonl") == lines(tmp_path / "local.errors.jsonl")


def test_dask_runner_against_a_scheduler_address(tmp_path):
    from distributed import LocalCluster

    from extractor.batch import run

    src = tmp_path / "in"
    src.mkdir()
    for name, text in list(ARTICLES.items())[:3]:
        (src / name).write_text(text, encoding="utf-8")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        counts = run([str(src)], out=tmp_path / "out", engine="dask", scheduler=address, progress=False)
        again = run([str(src)], out=tmp_path / "out", engine="dask", scheduler=address, progress=False)
    assert counts == {"ok": 3, "skipped": 0, "error": 0}
    assert again == {"ok": 0, "skipped": 3, "error": 0}
    assert json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))["schema_version"] == 1
