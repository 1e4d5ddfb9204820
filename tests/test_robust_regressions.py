"""Every input in corpus/regressions/ (crashes found by fuzzing and by hand) is its own test case.

A case passes when `extract` of the file's bytes returns a valid Article whose offsets point into
the decoded text (or refuses the bytes with InputError), within a time bound. Cases listed in
corpus/regressions/known.toml are still broken: strict xfail, with the owner module in the reason.
"""
from __future__ import annotations

import time
import tomllib

import pytest

from extractor import InputError, extract
from extractor.normalize import decode

from .conftest import ROOT
from .robust_support import check_article

REGRESSIONS = ROOT / "corpus" / "regressions"
KNOWN = tomllib.loads((REGRESSIONS / "known.toml").read_text(encoding="utf-8"))
SECONDS = 10.0


def _cases():
    for path in sorted(REGRESSIONS.iterdir()):
        if path.suffix not in (".txt", ".bin", ".html"):
            continue
        marks = []
        if path.stem in KNOWN:
            k = KNOWN[path.stem]
            marks.append(pytest.mark.xfail(strict=True, reason=f"{k['module']}: {k['reason']}"))
        yield pytest.param(path, id=path.stem, marks=marks)


def test_known_list_names_existing_cases():
    stems = {p.stem for p in REGRESSIONS.iterdir()}
    assert set(KNOWN) <= stems, set(KNOWN) - stems


@pytest.mark.parametrize("path", list(_cases()))
def test_regression_input(path):
    data = path.read_bytes()
    try:
        original = decode(data)
    except InputError:
        original = None
    t0 = time.perf_counter()
    try:
        article = extract(data)
    except InputError:
        assert original is None
        return
    elapsed = time.perf_counter() - t0
    check_article(article, original)
    assert elapsed < SECONDS, f"{elapsed:.1f}s"
