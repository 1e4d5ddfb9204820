"""Benchmark: one huge article through `recap parse`, in a subprocess; prints time and peak RSS.

    python bench/huge_input.py --mb 50            # the 50 MB check quoted in the README
    python bench/huge_input.py --mb 1 --max-rss-mb 1500

The article is the project's example articles repeated, separated by blank lines, to the size asked
(in UTF-8 bytes). Exit status 1 when a bound given is exceeded.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_article(n_bytes: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").rglob("*.txt"))
             if "regressions" not in p.parts]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    block = "\n\n".join(t.strip() for t in texts) + "\n\n"
    reps = max(1, n_bytes // len(block.encode("utf-8")))
    return block * reps


def run(mb: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "huge.txt"
        src.write_text(make_article(int(mb * 1024 * 1024)), encoding="utf-8")
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "extractor", "parse", str(src), "--out", str(out)],
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        elapsed = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = {"mb": round(src.stat().st_size / 2**20, 1), "seconds": round(elapsed, 1),
                  "peak_rss_mb": round(peak_kb / 1024), "exit": r.returncode,
                  "stderr": r.stderr.decode(errors="replace")[-400:]}
        if r.returncode == 0:
            data = json.loads((out / "huge.json").read_bytes())
            result.update(figures=len(data["figures"]), boards=len(data["boards"]),
                          companies=len(data["companies"]), output_mb=round(
                              (out / "huge.json").stat().st_size / 2**20, 1),
                          warnings=data["warnings"][-1:])
        return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--max-rss-mb", type=float)
    ap.add_argument("--max-seconds", type=float)
    a = ap.parse_args()
    res = run(a.mb)
    print(json.dumps(res, ensure_ascii=False))
    bad = res["exit"] != 0 or (a.max_rss_mb and res["peak_rss_mb"] > a.max_rss_mb) or (
        a.max_seconds and res["seconds"] > a.max_seconds)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
