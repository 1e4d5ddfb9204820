"""Shared checks for the robustness and property tests."""
from __future__ import annotations

import traceback

import orjson

from extractor import Article


def items(article: Article):
    """Every item that carries text/start/end into the original."""
    yield from article.figures
    yield from article.claims
    for c in article.companies:
        yield from c.mentions
    for t in article.themes:
        yield from t.mentions
    yield from article.market.evidence.values()
    yield from article.market.indices
    yield from article.boards


def check_article(article: Article, original: str) -> None:
    """The invariants of every output: a valid model, offsets inside the input, text == slice."""
    assert isinstance(article, Article)
    for it in items(article):
        assert 0 <= it.start <= it.end <= len(original), it
        assert original[it.start:it.end] == it.text, it
    for c in article.claims:
        assert 0 <= c.figure < len(article.figures), c
    Article.model_validate_json(article.model_dump_json())
    serialize(article)


def serialize(article: Article) -> bytes:
    """What `recap parse` writes: orjson refuses ints beyond 64 bits, NaN stays null, etc."""
    return orjson.dumps(article.model_dump(mode="json"))


# Crashes found by fuzzing in modules other helpers own, each with a strict-xfail regression case
# in corpus/regressions/. Property tests `assume` these away (only these exceptions, from exactly
# these functions) so they keep testing everything else; delete an entry when its fix lands.
KNOWN_BUGS = {
    # (exception type, module file, function): regression case
}


def known_bug(e: BaseException) -> str | None:
    tb = traceback.extract_tb(e.__traceback__)
    if not tb:
        return None
    last = tb[-1]
    return KNOWN_BUGS.get((type(e).__name__, last.filename.rsplit("/", 1)[-1], last.name))
