#!/usr/bin/env python3
"""Throughput, cold start, memory and parallel speedup of `recap parse`, with PASS/FAIL per target.

    python bench/throughput.py                       # about 3 MB of text
    python bench/throughput.py --quick               # about 1 MB, for a quick look
    python bench/throughput.py --jobs-curve 1,2,4,8,16 --quick

The corpus is the repository's own example articles (corpus/articles/ and seeds/), repeated to
the size asked for. Single-core rates are CPU seconds of this process (fair on a shared machine; wall
seconds are printed beside them); cold start and speedups are wall-clock.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGETS = {
    "extract_chars_per_s": 1_500_000,
    "ratio_vs_jieba": 2.5,
    "cold_start_s": 1.0,
    "peak_rss_mb": 300,
    "speedup_2": 1.8,
}


def load_articles() -> list[str]:
    from extractor.normalize import InputError, decode

    # Articles only: the other corpus folders hold one-line examples and fuzz inputs.
    paths = [p for d in ("corpus/articles", "seeds") for p in sorted((ROOT / d).rglob("*"))
             if p.is_file() and p.suffix.lower() in (".txt", ".html", ".htm", ".md")]
    texts = []
    for path in paths:
        try:
            texts.append(decode(path.read_bytes()))
        except InputError:
            continue
    if not texts:
        sys.exit("no example articles under corpus/articles/ or seeds/")
    return texts


def build_corpus(texts: list[str], megabytes: float) -> list[str]:
    """Copies of the articles up to `megabytes`; each copy is made a distinct article by a
    trailing HTML comment (which normalization removes), so resuming never skips one."""
    out, size = [], 0
    while size < megabytes * 1e6:
        for t in texts:
            out.append(f"{t}\n<!-- copy {len(out)} -->")
            size += len(out[-1].encode("utf-8"))
    return out


def interleaved_rates(fns: dict, articles: list[str], slices: int = 20) -> dict[str, tuple[float, float]]:
    """rate() of each function, taking turns slice by slice over the articles, so that a machine
    whose speed drifts during the run (a shared one) slows each of them alike."""
    chars = sum(map(len, articles))
    spent = {name: [0.0, 0.0] for name in fns}
    step = max(1, -(-len(articles) // slices))
    for i in range(0, len(articles), step):
        part = articles[i:i + step]
        for name, fn in fns.items():
            c0, w0 = time.process_time(), time.perf_counter()
            for a in part:
                fn(a)
            spent[name][0] += time.process_time() - c0
            spent[name][1] += time.perf_counter() - w0
    return {name: (chars / max(c, 1e-9), chars / max(w, 1e-9)) for name, (c, w) in spent.items()}


def rate(fn, articles: list[str]) -> tuple[float, float]:
    """(chars per CPU second, chars per wall second) of fn over the articles."""
    chars = sum(map(len, articles))
    c0, w0 = time.process_time(), time.perf_counter()
    for a in articles:
        fn(a)
    return chars / max(time.process_time() - c0, 1e-9), chars / max(time.perf_counter() - w0, 1e-9)


def breakdown(corpus: list[str]) -> list[tuple[str, float]]:
    """CPU seconds per pipeline stage over the corpus (the tokenizer split into its parts)."""
    from spacy.tokens import Doc

    from extractor import pipeline
    from extractor.normalize import normalize

    nlp = pipeline.load()
    tok = nlp.tokenizer
    clock = time.process_time
    spent: dict[str, float] = {}

    def add(name: str, t0: float) -> float:
        t1 = clock()
        spent[name] = spent.get(name, 0.0) + t1 - t0
        return t1

    for text in corpus:
        t = clock()
        norm = normalize(text)
        t = add("tokenizer: normalize (OpenCC, map)", t)
        words = tok.segmenter.cut(norm.text)
        t = add(f"tokenizer: segment ({tok.segmenter.engine})", t)
        Doc(nlp.vocab, words=words, spaces=[False] * len(words))
        t = add("tokenizer: spaCy Doc", t)
        doc = nlp.make_doc(text)
        t = clock()
        for name, proc in nlp.pipeline:
            proc(doc)
            t = add(f"component: {name}", t)
        pipeline.to_article(doc).model_dump(mode="json")
        add("to_article + model_dump", t)
    return sorted(spent.items(), key=lambda kv: -kv[1])


def child_env(cache_dir: str | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if cache_dir:
        env["RECAP_CACHE_DIR"] = cache_dir
    return env


# Runs `python -m extractor ARGS` and writes its own peak RSS (VmHWM) at exit. A child's
# ru_maxrss would not do: on Linux it starts from the high-water mark of the process that forked it.
CHILD = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(os.environ["RECAP_BENCH_PEAK"], "w") as fh:
        fh.write(str(kb))
if os.path.exists("/proc/self/status"):
    atexit.register(_peak)
sys.argv = ["recap", *sys.argv[1:]]
runpy.run_module("extractor", run_name="__main__", alter_sys=True)
"""


def run_child(args: list[str], env: dict) -> tuple[float, float, float, bytes]:
    """(wall seconds to the first output line, CPU seconds, peak RSS MB, stdout) of a recap run."""
    with tempfile.NamedTemporaryFile(prefix="recap-peak-", delete=False) as fh:
        peak_file = fh.name
    env = {**env, "RECAP_BENCH_PEAK": peak_file}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = proc.stdout.readline()
    first_at = time.perf_counter() - start
    rest = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"recap {' '.join(args)} exited with {proc.returncode}")
    try:
        peak_mb = int(Path(peak_file).read_text()) / 1024
    except (OSError, ValueError):
        peak_mb = usage.ru_maxrss / 1024  # an upper bound (see above)
    finally:
        os.unlink(peak_file)
    return first_at, usage.ru_utime + usage.ru_stime, peak_mb, first + rest


# extractor/_spacy.py run alone: spaCy (without its CLI) and jieba, imported the way the package does.
SPACY_ONLY = f"import runpy; runpy.run_path({str(ROOT / 'extractor' / '_spacy.py')!r})"


def _run_wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=child_env(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=None, help="corpus size in MB (default 3, --quick 1)")
    ap.add_argument("--quick", action="store_true", help="smaller corpus, fewer repetitions")
    ap.add_argument("--jobs-curve", default="", help="also time --jobs N for each N, e.g. 1,2,4,8,16")
    ap.add_argument("--no-jieba", action="store_true", help="skip the bare jieba.lcut baseline")
    args = ap.parse_args()
    mb = args.mb or (1.0 if args.quick else 3.0)
    repeats = 2 if args.quick else 3
    results: dict[str, float] = {}

    import orjson

    import extractor
    from extractor import pipeline

    seed = next(iter(sorted((ROOT / "seeds").glob("*.txt"))), None)
    print(f"recap-extractor {extractor.__version__}, pipeline {pipeline.pipeline_version()}, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    texts = []
    for text in load_articles():
        try:  # examples of known crashes (corpus/regressions) would stop the measurement
            orjson.dumps(pipeline.extract(text).model_dump(mode="json"))
        except Exception as e:
            print(f"skipped an example that fails to extract: {type(e).__name__}: {str(e)[:80]}")
            continue
        texts.append(text)
    corpus = build_corpus(texts, mb)
    chars = sum(map(len, corpus))
    nbytes = sum(len(t.encode("utf-8")) for t in corpus)
    print(f"corpus: {len(texts)} example articles x {len(corpus) // len(texts)} = {len(corpus)} articles, "
          f"{chars / 1e6:.2f} M chars, {nbytes / 1e6:.2f} MB")

    # ---- cold start and memory, in fresh processes
    with tempfile.TemporaryDirectory(prefix="recap-bench-") as tmp:
        if seed is not None:
            cold_first, cold_cpu, cold_rss, _ = run_child(["parse", str(seed)], child_env(os.path.join(tmp, "cache0")))
            print(f"cold start, empty caches:   {cold_first:6.2f} s wall, {cold_cpu:5.2f} s CPU, {cold_rss:5.0f} MB peak RSS")
            walls, cpus, rsss = [], [], []
            for _ in range(repeats):
                w, c, r, out = run_child(["parse", str(seed)], child_env())
                walls.append(w), cpus.append(c), rsss.append(r)
            results["cold_start_s"] = min(walls)
            floor = {what: min(_run_wall([sys.executable, "-c", code]) for _ in range(repeats))
                     for what, code in (("python", "pass"), ("spacy", SPACY_ONLY))}
            results["cold_rss_mb"] = max(rsss)
            print(f"cold start (warm caches):   {min(walls):6.2f} s wall (median {statistics.median(walls):.2f}), "
                  f"{min(cpus):5.2f} s CPU, {max(rsss):5.0f} MB peak RSS  (recap parse {seed.relative_to(ROOT)})")
            print(f"  of which out of reach: python start {floor['python']:.2f} s; importing spaCy (the "
                  f"pipeline host) as the pipeline does, {floor['spacy']:.2f} s; each alone in a fresh process")

        # ---- one core, in this process (extraction and bare jieba take turns over the corpus)
        pipeline.load()
        pipeline.extract(texts[0])
        fns = {"extract": pipeline.extract}
        if not args.no_jieba:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.lcut("预热")
            fns["jieba"] = jieba.lcut
        rates = interleaved_rates(fns, corpus)
        cpu_rate, wall_rate = rates["extract"]
        results["extract_chars_per_s"] = cpu_rate
        print(f"full extraction, one core:  {cpu_rate / 1e6:6.3f} M chars/s CPU ({wall_rate / 1e6:.3f} wall), "
              f"{cpu_rate * 3 / 1e6:.2f} MB/s, {len(corpus) / (chars / cpu_rate):.0f} articles/s")
        if "jieba" in rates:
            j_cpu, j_wall = rates["jieba"]
            results["ratio_vs_jieba"] = cpu_rate / j_cpu
            print(f"bare jieba.lcut:            {j_cpu / 1e6:6.3f} M chars/s CPU ({j_wall / 1e6:.3f} wall); "
                  f"extraction / jieba = {cpu_rate / j_cpu:.2f}x  (the two taking turns over the corpus)")
        print("  where one core's time goes (CPU s per M chars):")
        for name, secs in breakdown(corpus):
            print(f"    {name:34s} {secs / (chars / 1e6):7.3f}")
        try:
            import jionlp  # noqa: F401
        except Exception:
            print("jionlp.extract_money:       not installed (pip install jionlp to compare)")
        else:
            sample = corpus[: max(1, len(corpus) // 10)]
            m_cpu, _ = rate(jionlp.extract_money, sample)
            print(f"jionlp.extract_money:       {m_cpu / 1e6:6.3f} M chars/s CPU; extraction / jionlp = "
                  f"{cpu_rate / m_cpu:.2f}x")

        # ---- worker processes: recap parse DIR --jobs N (in this process, pipeline already built)
        curve = sorted({1, 2, *(int(x) for x in args.jobs_curve.split(",") if x.strip())})
        scale = max(1.0, max(curve) / 4)
        files = Path(tmp) / "articles"
        files.mkdir()
        for i, text in enumerate(build_corpus(texts, mb * scale)):
            (files / f"{i:06d}.txt").write_text(text, encoding="utf-8")
        dir_bytes = sum(p.stat().st_size for p in files.iterdir())
        from extractor.batch import run

        times: dict[int, float] = {}
        counts: dict[int, int] = {}
        for _ in range(repeats):  # round after round, each N's best: drift on a shared machine hits all alike
            for jobs in curve:
                target = Path(tmp) / f"jobs{jobs}.jsonl"
                w0 = time.perf_counter()
                counts[jobs] = run([str(files)], jsonl=target, jobs=jobs, progress=False)["ok"]
                times[jobs] = min(times.get(jobs, float("inf")), time.perf_counter() - w0)
                target.unlink()
        for jobs in curve:
            print(f"recap parse --jobs {jobs:<3d}       {times[jobs]:6.2f} s wall (best of {repeats}), "
                  f"{dir_bytes / 1e6 / times[jobs]:6.2f} MB/s, speedup {times[1] / times[jobs]:5.2f}x  "
                  f"({counts[jobs]} articles)")
        results["speedup_2"] = times[1] / times[2]

        # ---- peak memory of a whole batch in one worker
        _, _, batch_rss, _ = run_child(["parse", str(files), "--jsonl", os.path.join(tmp, "rss.jsonl"), "--jobs", "1"],
                                       child_env())
        results["peak_rss_mb"] = max(batch_rss, results.get("cold_rss_mb", 0))
        print(f"peak RSS, recap parse --jobs 1 over the corpus (main process): {batch_rss:.0f} MB "
              f"(this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
        shutil.rmtree(files, ignore_errors=True)

    print()
    checks = [
        ("full extraction >= 1.5 M chars/s on one core", "extract_chars_per_s", lambda v: v >= TARGETS["extract_chars_per_s"], lambda v: f"{v / 1e6:.3f} M"),
        ("full extraction >= 2.5x bare jieba.lcut", "ratio_vs_jieba", lambda v: v >= TARGETS["ratio_vs_jieba"], lambda v: f"{v:.2f}x"),
        ("cold start <= 1.0 s", "cold_start_s", lambda v: v <= TARGETS["cold_start_s"], lambda v: f"{v:.2f} s"),
        ("peak RSS <= 300 MB", "peak_rss_mb", lambda v: v <= TARGETS["peak_rss_mb"], lambda v: f"{v:.0f} MB"),
        ("--jobs 2 >= 1.8x --jobs 1", "speedup_2", lambda v: v >= TARGETS["speedup_2"], lambda v: f"{v:.2f}x"),
    ]
    failed = 0
    for label, key, ok, fmt in checks:
        if key not in results:
            print(f"SKIP  {label}")
            continue
        good = ok(results[key])
        failed += not good
        print(f"{verdict(good)}  {label}: {fmt(results[key])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
