"""The Store: one open database with ingest, search, timeline and compare on it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Optional

from ..models import Article
from ..normalize import Normalized
from . import ingest as _ingest
from .db import Backend, StoreError, check_schema, connect, migrate


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


class Store:
    """A recap store. Open with `open_store(url)`; use as a context manager to close it."""

    def __init__(self, db: Backend, url: str):
        self.db = db
        self.url = url
        self.read_only = db.read_only

    # -------------------------------------------------------------- lifecycle
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.db.dialect

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around many `ingest` calls: all of them are stored, or none."""
        self._writable()
        with self.db.transaction():
            yield

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("store is open read-only")

    # -------------------------------------------------------------- writing
    def ingest(self, article: Article, text: Optional[str] = None, *,
               norm: Optional[Normalized] = None, source_key: Optional[str] = None) -> str:
        """Store one parsed article and (optionally) its original text.

        Returns 'added', 'replaced' (same article_id re-extracted differently, or a new text from
        the same source) or 'unchanged'.
        """
        self._writable()
        return _ingest.store_article(self.db, article, text, norm, source_key)

    def delete(self, article_id: str) -> None:
        self._writable()
        with self.db.transaction():
            _ingest.delete_article(self.db, article_id)

    # -------------------------------------------------------------- reading
    def has_current(self, article_id: str, pipeline_version: str) -> bool:
        rows = self.db.execute("SELECT pipeline_version FROM articles WHERE article_id = ?", (article_id,))
        return bool(rows) and rows[0]["pipeline_version"] == pipeline_version

    def articles(self, date: Optional[str] = None) -> list[dict]:
        """Stored articles (id, source, trading_date, counts), optionally of one trading day."""
        sql = ("SELECT article_id, source, trading_date, script, pipeline_version, n_figures, n_claims,"
               " n_companies, n_themes, n_boards, n_passages, ingested_at FROM articles")
        params: tuple = ()
        if date:
            sql += " WHERE trading_date = ?"
            params = (date,)
        return self.db.execute(sql + " ORDER BY trading_date, source, article_id", params)

    def article(self, article_id: str) -> Optional[tuple[Article, Optional[str]]]:
        """The stored article model and its original text (None when only JSON was ingested)."""
        rows = self.db.execute("SELECT data, original FROM articles WHERE article_id = ?", (article_id,))
        if not rows:
            return None
        return Article.model_validate_json(rows[0]["data"]), rows[0]["original"]

    def days(self) -> list[str]:
        return [r["d"] for r in self.db.execute(
            "SELECT DISTINCT trading_date AS d FROM articles WHERE trading_date IS NOT NULL ORDER BY d")]

    def counts(self) -> dict[str, int]:
        tables = ["articles", "market_stats", "indices", "figures", "claims", "companies", "themes",
                  "boards", "passages"]
        return {t: self.db.execute(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}

    def check(self) -> list[str]:
        """Problems with the store's consistency: partial articles, orphan rows, index drift."""
        problems = []
        if self.dialect == "sqlite":
            res = self.db.execute("PRAGMA integrity_check")
            if [r for r in res if list(r.values())[0] != "ok"]:
                problems.append(f"integrity_check: {res}")
        for table, col in [("figures", "n_figures"), ("claims", "n_claims"), ("companies", "n_companies"),
                           ("themes", "n_themes"), ("boards", "n_boards"), ("passages", "n_passages")]:
            bad = self.db.execute(
                f"SELECT a.article_id FROM articles a LEFT JOIN (SELECT article_id, count(*) AS n FROM {table}"
                f" GROUP BY article_id) t ON t.article_id = a.article_id WHERE coalesce(t.n, 0) <> a.{col}")
            problems += [f"{r['article_id']}: {table} rows missing" for r in bad]
            orphans = self.db.execute(
                f"SELECT count(*) AS n FROM {table} t WHERE NOT EXISTS"
                " (SELECT 1 FROM articles a WHERE a.article_id = t.article_id)")[0]["n"]
            if orphans:
                problems.append(f"{table}: {orphans} rows of no article")
        if self.dialect == "sqlite":
            n_fts = self.db.execute("SELECT count(*) AS n FROM passage_fts")[0]["n"]
            n_pass = self.db.execute("SELECT count(*) AS n FROM passages")[0]["n"]
            if n_fts != n_pass:
                problems.append(f"passage_fts has {n_fts} rows for {n_pass} passages")
        return problems

    # -------------------------------------------------------------- queries
    def search(self, query: str, **filters):
        """Ranked hits over article text and claims; see `search.search` for the filters."""
        from .search import search

        return search(self, query, **filters)

    def timeline(self, *, metric: Optional[str] = None, company: Optional[str] = None,
                 theme: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None):
        from .timeline import timeline

        return timeline(self, metric=metric, company=company, theme=theme, since=since, until=until)

    def compare(self, day1: str, day2: str):
        """Two trading days (YYYY-MM-DD) or two article files, side by side."""
        from .compare import compare

        return compare(self, day1, day2)


def open_store(url: Optional[str] = None, *, read_only: bool = False) -> Store:
    """Open (and, unless read-only, create or migrate) the store at `url`.

    `url` is a SQLite file path (or sqlite:///path), or postgresql://…; default $RECAP_DB or recap.db.
    """
    from .db import default_url

    url = url or default_url()
    db = connect(url, read_only=read_only)
    try:
        if read_only:
            check_schema(db)
        else:
            migrate(db)
    except StoreError:
        db.close()
        raise
    except Exception as e:  # sqlite3 or psycopg: not a database, permissions, ...
        db.close()
        raise StoreError(f"{_safe_url(url)}: {(str(e).strip().splitlines() or [type(e).__name__])[0]}") from None
    return Store(db, url)


def _safe_url(url: str) -> str:
    """The URL without a password."""
    import re

    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)

