"""Benchmark: one huge article through `recap parse`, in a subprocess; prints time and peak RSS.

    python bench/huge_input.py --mb 50            # the 50 MB check quoted in the README
    python bench/huge_input.py --mb 1 --max-rss-mb 1500
    python bench/huge_input.py --mb 50 --jsonl --keep /tmp/huge   # keep the article and output

The article is the project's example articles repeated, separated by blank lines, to the size asked
(in UTF-8 bytes), written to disk without being held whole. The child runs under `/usr/bin/time -v`
when it is there (its "Maximum resident set size" and "Elapsed" are quoted); otherwise the child's
own peak RSS (VmHWM) is read at its exit. Exit status 1 when a bound given is exceeded.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import CHILD  # noqa: E402  (runs `recap ARGS` and records its own peak RSS)


def _block() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").rglob("*.txt"))
             if "regressions" not in p.parts]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return "\n\n".join(t.strip() for t in texts) + "\n\n"


def make_article(n_bytes: int) -> str:
    block = _block()
    return block * max(1, n_bytes // len(block.encode("utf-8")))


def write_article(path: Path, n_bytes: int) -> None:
    """`make_article(n_bytes)` written to `path` a block at a time."""
    block = _block().encode("utf-8")
    with open(path, "wb") as fh:
        for _ in range(max(1, n_bytes // len(block))):
            fh.write(block)


def _summary(path: Path) -> dict:
    """Counts from the output, read whole only when it is small enough."""
    size = path.stat().st_size
    out = {"output_mb": round(size / 2**20, 1)}
    if size < 200 << 20:
        data = json.loads(path.read_bytes().splitlines()[0])
        out.update(figures=len(data["figures"]), boards=len(data["boards"]),
                   companies=len(data["companies"]), warnings=data["warnings"][-1:])
    else:
        with open(path, "rb") as fh:
            fh.seek(max(0, size - 4096))
            tail = fh.read().decode("utf-8", "replace")
        out["warnings"] = re.findall(r'"(long article[^"]*)"', tail)[-1:]
    return out


def run(mb: float, jsonl: bool = False, keep: str | None = None) -> dict:
    tmp = keep or tempfile.mkdtemp(prefix="recap-huge-")
    Path(tmp).mkdir(parents=True, exist_ok=True)
    try:
        src = Path(tmp) / "huge.txt"
        write_article(src, int(mb * 1024 * 1024))
        target = Path(tmp) / ("huge.jsonl" if jsonl else "out")
        for stale in (target, Path(tmp) / "huge.errors.jsonl"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        peak_file = Path(tmp) / "peak_kb"
        cmd = [sys.executable, "-c", CHILD, "parse", str(src), "--jsonl" if jsonl else "--out", str(target)]
        timed = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
        if timed:
            cmd = [timed, "-v", *cmd]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                           "RECAP_BENCH_PEAK": str(peak_file)})
        elapsed = time.perf_counter() - t0
        stderr = r.stderr.decode(errors="replace")
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
        if m := re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr):
            peak_kb = max(peak_kb, int(m.group(1)))
        result = {"mb": round(src.stat().st_size / 2**20, 1), "seconds": round(elapsed, 1),
                  "peak_rss_mb": round(peak_kb / 1024), "exit": r.returncode}
        if m := re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", stderr):
            result["time_v_elapsed"] = m.group(1)
        if m := re.search(r"User time \(seconds\): (\S+)", stderr):
            result["cpu_user_s"] = float(m.group(1))
        result["stderr"] = stderr.split("\tCommand being timed")[0][-400:]
        if r.returncode == 0:
            result.update(_summary(target if jsonl else target / "huge.json"))
        return result
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--jsonl", action="store_true", help="write --jsonl FILE instead of --out DIR")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the article and output there")
    ap.add_argument("--max-rss-mb", type=float)
    ap.add_argument("--max-seconds", type=float)
    a = ap.parse_args()
    res = run(a.mb, a.jsonl, a.keep)
    print(json.dumps(res, ensure_ascii=False))
    bad = res["exit"] != 0 or (a.max_rss_mb and res["peak_rss_mb"] > a.max_rss_mb) or (
        a.max_seconds and res["seconds"] > a.max_seconds)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
