"""Web pages over the claims corpus: search, articles with their extractions marked in place, days,
comparisons of two days and timelines, plus the same data as JSON under /api/.

    recap serve --db recap.db            # http://127.0.0.1:8000

    from extractor.web import create_app  # a FastAPI app, read-only over the store
    app = create_app("recap.db")

Needs the `web` extra (fastapi, uvicorn, jinja2).
"""
from __future__ import annotations


def create_app(db_url=None):
    from .app import create_app as _create

    return _create(db_url)


__all__ = ["create_app"]
