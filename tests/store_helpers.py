"""Shared pieces of the store tests: a store URL per backend, and articles built by hand.

The example texts are written for these tests (not taken from any real article).
"""
from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from extractor.models import Article, Board, Claim, Company, Evidence, Market, Mention, Theme

PG = os.environ.get("RECAP_TEST_PG")
BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.skipif(
        not PG, reason="RECAP_TEST_PG is not set (no PostgreSQL server); .ci/run starts one")),
]


def pg_url(schema: str) -> str:
    sep = "&" if "?" in PG else "?"
    return f"{PG}{sep}options=-csearch_path%3D{schema}"


def make_url(backend: str, tmp_path):
    """A fresh store URL, and a cleanup function."""
    if backend == "sqlite":
        return str(tmp_path / "recap.db"), lambda: None
    import psycopg

    schema = "recap_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')

    def drop():
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return pg_url(schema), drop


def _span(text: str, needle: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"text": needle, "start": start, "end": start + len(needle)}


def article(text: str, *, date: str | None = None, source: str | None = None, market: dict | None = None,
            themes: list[str] = (), boards: dict[str, int] | None = None, companies: dict[str, str] | None = None,
            claims: list[tuple] = ()) -> Article:
    """An Article for `text`; claims are (subject, metric, period, value, unit, evidence text[, modality])."""
    market = dict(market or {})
    evidence = {k: Evidence(**_span(text, market.pop(f"{k}_text")), rule="test")
                for k in list(market) if f"{k}_text" in market and not k.endswith("_text")}
    cls = []
    for i, c in enumerate(claims):
        subject, metric, period, value, unit, ev, *rest = c
        key = "|".join(x or "" for x in (subject, metric, period))
        cls.append(Claim(key=key, subject=subject, metric=metric, period=period, value=value, unit=unit,
                         modality=rest[0] if rest else "fact", figure=i, rule="test", **_span(text, ev)))
    return Article(
        source=source, article_id=hashlib.sha256(text.encode()).hexdigest()[:16], script="simplified",
        trading_date=date, pipeline_version="test", claims=cls,
        companies=[Company(name=n, code=code, listed=True, rule="test",
                           mentions=[Mention(**_span(text, n))] if n in text else [])
                   for n, code in (companies or {}).items()],
        themes=[Theme(name=t, rule="test", mentions=[Mention(**_span(text, t))] if t in text else [])
                for t in themes],
        market=Market(**market, evidence=evidence),
        boards=[Board(company=n, boards=b, rule="test", **_span(text, n)) for n, b in (boards or {}).items()],
    )
