"""Pathological-input check: no regular expression, and no whole extraction, may be super-linear.

    python bench/regex_redos.py                 # every pattern and extract(), with a table
    python bench/regex_redos.py --only extract  # just extract()

Finds every compiled pattern in the extractor package (module globals, objects they hold, the
pipeline's components and what they hold), feeds each long adversarial runs (digit runs, "1,1,1,",
"万万万", "<<<<", "&&&&", "百分之百分之", runs of 、 and spaces …) and measures CPU time at two
sizes. A pattern fails when one input takes over BOUND seconds, or when 4x the input costs more
than GROWTH times as much (linear is 4, quadratic 16). CPU time, not wall time, so a busy machine
does not make it flaky.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# name -> repeated unit (a run is the unit repeated to the size asked)
ADVERSARIAL = {
    "digits": "1", "digits-9": "9", "comma-digits": "1,", "dot-digits": "1.", "dotted": "1.1.",
    "space-digits": "1 ", "dash-digits": "1-", "neg-digits": "-1", "percent": "99%",
    "wan": "万", "yi-wan": "亿万", "wan-yi": "万亿", "bai-fen-zhi": "百分之", "cn-digits": "一二三",
    "cn-ten": "十", "cn-mixed": "三百二十", "lt": "<", "amp": "&", "amp-hash": "&#", "amp-name": "&a",
    "tag-open": "<a ", "p-open": "<p", "comment-open": "<!--", "cdata-open": "<![CDATA[",
    "script-open": "<script>", "script-attr": "<script ", "dun": "、", "spaces": " ",
    "ideographic-space": "\u3000", "newlines": "\n", "approx": "约", "boards": "7板", "ban": "板",
    "limit-up": "涨停", "limit-up-count": "涨停1家", "list": "A、", "company-like": "中际旭创",
    "concept": "算力概念", "streak": "连板", "paren": "(", "range": "1-2", "tilde": "~", "dash": "—",
}
BOUND = 2.0  # seconds of CPU for one pattern over one input of the larger size
GROWTH = 10.0


@dataclass
class Timing:
    target: str
    input: str
    small: float
    large: float

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-4)

    def bad(self, bound: float = BOUND, growth: float = GROWTH, floor: float = 0.05) -> bool:
        return self.large > bound or (self.large > floor and self.ratio > growth)


def run_of(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _walk(obj, name: str, seen: set, depth: int):
    if id(obj) in seen or depth > 3:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        yield name, obj
        return
    try:
        import regex  # the `regex` module's patterns, if a module uses it
        if isinstance(obj, regex.Pattern):
            yield name, obj
            return
    except ImportError:
        pass
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:5000]:
            yield from _walk(v, f"{name}[{k!r}]", seen, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(list(obj)[:5000]):
            yield from _walk(v, f"{name}[{i}]", seen, depth + 1)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("extractor"):
        for k, v in vars(obj).items():
            yield from _walk(v, f"{name}.{k}", seen, depth + 1)
    elif hasattr(obj, "__slots__") and type(obj).__module__.startswith("extractor"):
        for k in obj.__slots__:
            if hasattr(obj, k):
                yield from _walk(getattr(obj, k), f"{name}.{k}", seen, depth + 1)


def find_patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern reachable from the extractor package, by a readable name."""
    import extractor
    from extractor.pipeline import load

    nlp = load()  # builds the components, which compile their rules
    modules = []
    for info in pkgutil.walk_packages(extractor.__path__, "extractor."):
        if info.name.endswith("__main__"):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except Exception:  # an optional engine's dependency may be missing
            continue
    seen: set = set()
    found: dict[str, re.Pattern] = {}
    for mod in modules:
        for k, v in vars(mod).items():
            # zero-argument cached builders (grammar(), rules()) hold compiled rule sets
            if callable(v) and hasattr(v, "cache_info") and getattr(v, "__module__", "") == mod.__name__:
                try:
                    if inspect.signature(v).parameters:
                        continue
                    v = v()
                except (TypeError, ValueError):
                    continue
            for name, pat in _walk(v, f"{mod.__name__}.{k}", seen, 0):
                found.setdefault(name, pat)
    for pipe_name, proc in nlp.pipeline:
        for name, pat in _walk(proc, f"pipeline[{pipe_name}]", seen, 0):
            found.setdefault(name, pat)
    # the same pattern object reached twice keeps its first name; identical sources are merged
    unique: dict[tuple, str] = {}
    for name, pat in found.items():
        unique.setdefault((pat.pattern, pat.flags), name)
    return {name: found[name] for name in unique.values()}


def _cpu(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def time_pattern(pat, text: str) -> float:
    if isinstance(pat.pattern, bytes):  # a pattern over raw input reads the text as UTF-8
        text = text.encode("utf-8")

    def scan():
        for _ in pat.finditer(text):
            pass
    return _cpu(scan)


def time_extract(text: str) -> float:
    """CPU seconds of one extract(); a crash counts its time (crashes are tests/test_robust_regressions.py's)."""
    from extractor import extract

    def run():
        try:
            extract(text)
        except Exception:
            pass
    return _cpu(run)


def check_patterns(small: int = 25_000, large: int = 100_000, inputs=None) -> list[Timing]:
    out = []
    for name, pat in find_patterns().items():
        for key, unit in (inputs or ADVERSARIAL).items():
            t_small = time_pattern(pat, run_of(unit, small))
            if t_small > BOUND / 4:  # already too slow: do not wait for the large one
                out.append(Timing(name, key, t_small, t_small * 16))
                continue
            out.append(Timing(name, key, t_small, time_pattern(pat, run_of(unit, large))))
    return out


def check_extract(small: int = 5_000, large: int = 20_000, inputs=None, give_up: float = 30.0) -> list[Timing]:
    out = []
    for key, unit in (inputs or ADVERSARIAL).items():
        t_small = time_extract(run_of(unit, small))
        t_large = t_small * 16 if t_small > give_up / 16 else time_extract(run_of(unit, large))
        out.append(Timing("extract", key, t_small, t_large))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["patterns", "extract"])
    ap.add_argument("--show", action="store_true", help="print every timing, not just the bad ones")
    a = ap.parse_args()
    results = []
    if a.only != "extract":
        pats = find_patterns()
        print(f"{len(pats)} distinct patterns, {len(ADVERSARIAL)} adversarial inputs (25k and 100k chars)")
        results += check_patterns()
    if a.only != "patterns":
        print(f"extract(): {len(ADVERSARIAL)} adversarial inputs (5k and 20k chars)")
        results += check_extract()
    bad = [r for r in results if r.bad()]
    for r in results if a.show else bad:
        flag = "SLOW" if r.bad() else "ok"
        print(f"{flag:4} {r.target:60.60} {r.input:18} {r.small:7.3f}s {r.large:7.3f}s x{r.ratio:5.1f}")
    print(f"{len(results)} timings, {len(bad)} super-linear or over {BOUND}s")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
