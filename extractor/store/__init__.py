"""The claims corpus: store parsed articles, search them, follow numbers over days, compare days.

Python API (stable; the `recap ingest/search/timeline/compare` commands are thin layers over it):

    from extractor.store import open_store

    with open_store("recap.db") as store:              # or "postgresql://user@host/db"; default $RECAP_DB
        store.ingest(article, text)                     # an extractor.Article (+ its original text)
        hits = store.search("中际旭创", since="2026-03-01", limit=20)   # list[SearchHit]
        tl = store.timeline(metric="limit_up")          # Timeline: .points = [TimelinePoint(date, value, ...)]
        cmp = store.compare("2026-03-10", "2026-03-16") # Comparison (dataclass; .to_dict() for JSON)

    with open_store("recap.db", read_only=True) as store:   # never writes, never migrates
        ...

- `open_store(url=None, read_only=False) -> Store`: SQLite path (or sqlite:///path) or postgresql://…;
  creates and migrates the schema (table `schema_version`) unless `read_only`.
- `Store.ingest(article, text=None) -> "added" | "replaced" | "unchanged"`; `Store.batch()` is one
  transaction around many ingests; `ingest.ingest_paths(store, paths)` parses files as `recap ingest` does.
- `Store.search(query, company=, theme=, metric=, modality=, since=, until=, limit=) -> list[SearchHit]`
  (`article_id, source, trading_date, kind, score, start, end, snippet, snippet_html, highlights, claim`).
- `Store.timeline(metric= | company= | theme=, since=, until=) -> Timeline`.
- `Store.compare(day1, day2) -> Comparison`: days are YYYY-MM-DD (stored articles of that trading
  day) or paths of article files (text, HTML or parsed JSON).
- `Store.articles(date=None)`, `Store.article(article_id) -> (Article, original text | None)`,
  `Store.days()`, `Store.counts()`, `Store.check()` (consistency problems, [] when sound).

All results are plain dataclasses with `to_dict()`, or lists of dicts.
"""
_EXPORTS = {"IngestReport": "core", "Store": "core", "open_store": "core", "SCHEMA_VERSION": "db",
            "StoreError": "db"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use, so that `recap parse` does not pay for the store's modules.
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
