"""The example articles in corpus/articles are the test suite: each expectation is its own case.

`<name>.expected.json` beside `<name>.txt` lists what must be found (figures by text, value and
unit; companies; themes; market values; boards) and what must not (`not_figures`). Case ids listed
under `xfail` (by prefix) are known failures, run as strict xfail so a fix must remove them.
"""
import json
import math
from functools import lru_cache
from pathlib import Path

import pytest

from extractor import extract

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles"


@lru_cache(maxsize=None)
def parsed(name: str):
    path = CORPUS / f"{name}.txt"
    return extract(path.read_bytes(), source=str(path.relative_to(CORPUS.parent.parent)))


def _close(a, b):
    return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-6)


def _cases():
    for exp_path in sorted(CORPUS.glob("*.expected.json")):
        name = exp_path.name[: -len(".expected.json")]
        exp = json.loads(exp_path.read_text(encoding="utf-8"))
        xfail = exp.get("xfail", [])
        cases = []
        for key in ("script", "trading_date"):
            if key in exp:
                cases.append(("date" if key == "trading_date" else key, key, exp[key]))
        for f in exp.get("figures", []):
            cases.append((f"figure:{f['text']}", "figure", f))
            if "modality" in f:
                cases.append((f"modality:{f['text']}", "modality", f))
        for t in exp.get("not_figures", []):
            cases.append((f"not_figure:{t}", "not_figure", t))
        for c in exp.get("companies", []):
            cases.append((f"company:{c}", "company", c))
        for t in exp.get("themes", []):
            cases.append((f"theme:{t}", "theme", t))
        for k, v in exp.get("market", {}).items():
            cases.append((f"market:{k}", "market", (k, v)))
        for b in exp.get("boards", []):
            cases.append((f"board:{b['company']}", "board", b))
        for case_id, kind, data in cases:
            marks = [pytest.mark.xfail(strict=True, reason="known failure")] if any(
                case_id.startswith(p) for p in xfail) else []
            yield pytest.param(name, kind, data, id=f"{name}:{case_id}", marks=marks)


def _find_figure(article, f):
    for fig in article.figures:
        if f["text"] in fig.text or fig.text in f["text"]:
            if "value" in f and _close(fig.value, f["value"]):
                return fig
            if "low" in f and _close(fig.low, f["low"]) and _close(fig.high, f["high"]):
                return fig
    return None


@pytest.mark.parametrize("name,kind,data", list(_cases()))
def test_corpus_article(name, kind, data):
    a = parsed(name)
    if kind == "script":
        assert a.script == data
    elif kind == "date":
        assert a.trading_date == data
    elif kind == "figure":
        fig = _find_figure(a, data)
        assert fig is not None, f"no figure {data['text']!r}: {[x.text for x in a.figures]}"
        assert fig.unit == data["unit"]
    elif kind == "modality":
        fig = _find_figure(a, data)
        assert fig is not None and fig.modality == data["modality"]
    elif kind == "not_figure":
        assert not [f.text for f in a.figures if data in f.text or f.text in data and f.text.strip()]
    elif kind == "company":
        assert data in [c.name for c in a.companies]
    elif kind == "theme":
        assert data in [t.name for t in a.themes]
    elif kind == "market":
        key, value = data
        assert _close(getattr(a.market, key), value)
        assert key in a.market.evidence
    elif kind == "board":
        hits = [b for b in a.boards if b.company == data["company"] and b.boards == data["boards"]]
        assert hits and all(b.days == data.get("days", b.days) for b in hits)
