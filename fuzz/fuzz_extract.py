"""Coverage-guided fuzz target for `extractor.extract` (atheris / libFuzzer).

Each input is tried as an article: valid UTF-8 goes in as text, anything else as bytes (which
`extract` decodes, raising InputError for bytes that are no article: that is an expected answer).
Any other exception, or an item whose offsets do not point into the original, is a crash.

    python fuzz/make_seeds.py /tmp/recap-seeds          # seed corpus from corpus/ and seeds/
    python fuzz/fuzz_extract.py /tmp/recap-fuzz /tmp/recap-seeds -max_len=4096 -timeout=10 \
        -max_total_time=900 -artifact_prefix=/tmp/recap-crash-

A crash file it writes goes into corpus/regressions/ (see tests/test_robust_regressions.py).
"""
from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["extractor"]):
    import extractor
    from extractor.normalize import InputError


def check(article, original: str) -> None:
    """The invariants every output keeps: offsets inside the input, text equal to the slice."""
    items = list(article.figures)
    for c in article.claims:
        items.append(c)
    for c in article.companies:
        items.extend(c.mentions)
    for t in article.themes:
        items.extend(t.mentions)
    items.extend(article.market.evidence.values())
    items.extend(article.market.indices)
    items.extend(article.boards)
    for it in items:
        if not (0 <= it.start <= it.end <= len(original)) or original[it.start:it.end] != it.text:
            raise AssertionError(f"bad offsets {it.start}:{it.end} {it.text!r}")
    for c in article.claims:
        if not 0 <= c.figure < len(article.figures):
            raise AssertionError(f"claim points at figure {c.figure} of {len(article.figures)}")


def one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            article = extractor.extract(data)
        except InputError:
            return
        from extractor.normalize import decode
        check(article, decode(data))
        return
    check(extractor.extract(text), text)


def main() -> None:
    extractor.load()  # build the pipeline once, before fuzzing starts
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
