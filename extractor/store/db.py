"""Database backends (SQLite, PostgreSQL), the schema and its migrations.

SQL in this package is written once with `?` placeholders; the PostgreSQL backend turns them into
`%s`. Values always travel as parameters, never inside the SQL text.
"""
from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

DEFAULT_DB = "recap.db"
SCHEMA_VERSION = 1


class StoreError(Exception):
    """A store that cannot be opened or used (one-line reason)."""


def default_url() -> str:
    return os.environ.get("RECAP_DB") or DEFAULT_DB


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


# ---------------------------------------------------------------- schema
# Table definitions shared by both dialects; {real}, {id} and {bigint} differ.
_TABLES = [
    """CREATE TABLE articles (
        article_id TEXT PRIMARY KEY,
        source TEXT,
        source_key TEXT,
        trading_date TEXT,
        script TEXT,
        pipeline_version TEXT,
        original TEXT,
        normalized TEXT,
        data TEXT NOT NULL,
        digest TEXT NOT NULL,
        n_figures INTEGER NOT NULL, n_claims INTEGER NOT NULL, n_companies INTEGER NOT NULL,
        n_themes INTEGER NOT NULL, n_boards INTEGER NOT NULL, n_passages INTEGER NOT NULL,
        ingested_at TEXT NOT NULL)""",
    "CREATE INDEX articles_source ON articles(source_key)",
    "CREATE INDEX articles_date ON articles(trading_date)",
    """CREATE TABLE market_stats (
        article_id TEXT NOT NULL, stat TEXT NOT NULL, value {real},
        text TEXT, pos_start INTEGER, pos_end INTEGER, rule TEXT,
        PRIMARY KEY (article_id, stat))""",
    "CREATE INDEX market_stats_stat ON market_stats(stat)",
    """CREATE TABLE indices (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL,
        close {real}, change_pct {real}, text TEXT, pos_start INTEGER, pos_end INTEGER, rule TEXT,
        PRIMARY KEY (article_id, idx))""",
    """CREATE TABLE figures (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT, pos_start INTEGER, pos_end INTEGER,
        value {real}, low {real}, high {real}, unit TEXT, unit_text TEXT, approx INTEGER,
        subject TEXT, metric TEXT, period TEXT, modality TEXT, sentence INTEGER, rule TEXT,
        PRIMARY KEY (article_id, idx))""",
    """CREATE TABLE claims (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, key TEXT NOT NULL,
        subject TEXT, metric TEXT, period TEXT, value {real}, low {real}, high {real},
        unit TEXT, modality TEXT, figure INTEGER, text TEXT, pos_start INTEGER, pos_end INTEGER,
        rule TEXT, PRIMARY KEY (article_id, idx))""",
    "CREATE INDEX claims_key ON claims(key)",
    "CREATE INDEX claims_metric ON claims(metric)",
    """CREATE TABLE companies (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, code TEXT,
        exchange TEXT, listed INTEGER, n_mentions INTEGER NOT NULL, mentions TEXT, rule TEXT,
        PRIMARY KEY (article_id, idx))""",
    "CREATE INDEX companies_name ON companies(name)",
    "CREATE INDEX companies_code ON companies(code)",
    """CREATE TABLE themes (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, leaders TEXT,
        role TEXT, n_mentions INTEGER NOT NULL, mentions TEXT, rule TEXT,
        PRIMARY KEY (article_id, idx))""",
    "CREATE INDEX themes_name ON themes(name)",
    """CREATE TABLE boards (
        article_id TEXT NOT NULL, idx INTEGER NOT NULL, company TEXT NOT NULL, code TEXT,
        boards INTEGER NOT NULL, days INTEGER, status TEXT, text TEXT,
        pos_start INTEGER, pos_end INTEGER, rule TEXT,
        PRIMARY KEY (article_id, idx))""",
]
_SQLITE_PASSAGES = [
    """CREATE TABLE passages (
        id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, kind TEXT NOT NULL, ref INTEGER,
        pos_start INTEGER NOT NULL, pos_end INTEGER NOT NULL)""",
    "CREATE INDEX passages_article ON passages(article_id)",
    """CREATE VIRTUAL TABLE passage_fts USING fts5(
        words, grams, chars, tokenize = "unicode61 remove_diacritics 0 tokenchars '.'")""",
]
_POSTGRES_PASSAGES = [
    """CREATE TABLE passages (
        id BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL, kind TEXT NOT NULL, ref INTEGER,
        pos_start INTEGER NOT NULL, pos_end INTEGER NOT NULL,
        words tsvector NOT NULL, grams tsvector NOT NULL, chars tsvector NOT NULL)""",
    "CREATE INDEX passages_article ON passages(article_id)",
    "CREATE INDEX passages_words ON passages USING GIN (words)",
    "CREATE INDEX passages_grams ON passages USING GIN (grams)",
    "CREATE INDEX passages_chars ON passages USING GIN (chars)",
]

# version -> statements per dialect. Add a new entry to migrate; never edit an applied one.
MIGRATIONS: dict[int, dict[str, list[str]]] = {
    1: {
        "sqlite": [t.format(real="REAL") for t in _TABLES] + _SQLITE_PASSAGES,
        "postgres": [t.format(real="DOUBLE PRECISION") for t in _TABLES] + _POSTGRES_PASSAGES,
    },
}

# Tables holding rows of one article, deleted together when an article is replaced.
ARTICLE_TABLES = ("market_stats", "indices", "figures", "claims", "companies", "themes", "boards")


# ---------------------------------------------------------------- backends
class Backend:
    dialect: str
    read_only: bool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def contains(self, haystack: str, needle_param: str = "?") -> str:
        """SQL that is true when the column `haystack` contains the parameter as a substring."""
        raise NotImplementedError


class SqliteBackend(Backend):
    dialect = "sqlite"

    def __init__(self, url: str, read_only: bool = False):
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else url
        self.path = path
        self.read_only = read_only
        if read_only:
            if path != ":memory:" and not Path(path).exists():
                raise StoreError(f"{path}: no such store")
            uri = "file:" + _uri_path(path) + "?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        else:
            if path != ":memory:" and Path(path).parent and not Path(path).parent.exists():
                raise StoreError(f"{path}: folder does not exist")
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.row_factory = _dict_row
        self._depth = 0

    def execute(self, sql, params=()):
        return self.conn.execute(sql, tuple(params)).fetchall()

    def executemany(self, sql, rows):
        if rows:
            self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self):
        self._depth += 1
        name = f"sp{self._depth}"
        self.conn.execute("BEGIN IMMEDIATE" if self._depth == 1 else f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK" if self._depth == 1 else f"ROLLBACK TO {name}")
            if self._depth > 1:
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self.conn.execute("COMMIT" if self._depth == 1 else f"RELEASE {name}")
        finally:
            self._depth -= 1

    def contains(self, haystack, needle_param="?"):
        return f"instr({haystack}, {needle_param}) > 0"

    def close(self):
        self.conn.close()


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(str(Path(path).resolve()))


def _dict_row(cursor, row):
    return {d[0]: v for d, v in zip(cursor.description, row)}


_QMARK = re.compile(r"\?")


class PostgresBackend(Backend):
    dialect = "postgres"

    def __init__(self, url: str, read_only: bool = False):
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError:
            raise StoreError("PostgreSQL needs psycopg: pip install 'recap-extractor[store]'") from None
        self.read_only = read_only
        try:
            self.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
        except psycopg.Error as e:
            raise StoreError(f"cannot connect to PostgreSQL: {str(e).strip().splitlines()[0]}") from None
        if read_only:
            self.conn.execute("SET default_transaction_read_only = on")
        self.conn.execute("SET client_min_messages = warning")

    def execute(self, sql, params=()):
        cur = self.conn.execute(_QMARK.sub("%s", sql), tuple(params))
        return cur.fetchall() if cur.description else []

    def executemany(self, sql, rows):
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_QMARK.sub("%s", sql), rows)

    @contextmanager
    def transaction(self):
        with self.conn.transaction():
            yield

    def contains(self, haystack, needle_param="?"):
        return f"strpos({haystack}, {needle_param}) > 0"

    def close(self):
        self.conn.close()


def connect(url: Optional[str] = None, read_only: bool = False) -> Backend:
    url = url or default_url()
    if is_postgres(url):
        return PostgresBackend(url, read_only)
    try:
        return SqliteBackend(url, read_only)
    except sqlite3.Error as e:
        raise StoreError(f"{url}: {e}") from None


# ---------------------------------------------------------------- migrations
def current_version(db: Backend) -> int:
    rows = db.execute("SELECT max(version) AS v FROM schema_version")
    return int(rows[0]["v"] or 0) if rows else 0


def _has_table(db: Backend, name: str) -> bool:
    if db.dialect == "sqlite":
        sql = "SELECT 1 AS x FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?"
    else:
        sql = "SELECT 1 AS x FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
    return bool(db.execute(sql, (name,)))


def migrate(db: Backend) -> int:
    """Create or upgrade the schema to SCHEMA_VERSION; returns the version."""
    with db.transaction():
        if db.dialect == "postgres":
            db.execute("SELECT pg_advisory_xact_lock(74210501)")
        if not _has_table(db, "schema_version"):
            db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
        version = current_version(db)
        if version > SCHEMA_VERSION:
            raise StoreError(f"store has schema version {version}, newer than this tool's {SCHEMA_VERSION}")
        for v in range(version + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[v][db.dialect]:
                db.execute(stmt)
            db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (v, _now()))
            version = v
    return version


def check_schema(db: Backend) -> int:
    """For read-only use: the schema must already be current."""
    if not _has_table(db, "schema_version"):
        raise StoreError("not a recap store (no schema_version table); run `recap ingest` first")
    version = current_version(db)
    if version != SCHEMA_VERSION:
        raise StoreError(f"store has schema version {version}, this tool needs {SCHEMA_VERSION}; "
                         "open it writable (e.g. `recap ingest`) to migrate")
    return version


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")
