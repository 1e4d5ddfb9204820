"""Storing articles: rows for every dimension, search passages, and reading ingest inputs.

An article is identified by `article_id` (a hash of its original text). Storing the same article
again changes nothing; a different extraction of it, or an edited text from the same source file,
replaces the old rows. Each article is written inside a savepoint of the caller's transaction.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import orjson
from pydantic import ValidationError

from ..io import ARTICLE_SUFFIXES, Source, expand
from ..models import Article
from ..normalize import InputError, Normalized, normalize
from . import textindex
from .db import ARTICLE_TABLES, Backend, _now

JSON_SUFFIXES = (".json", ".jsonl")


def source_key(source: Optional[str]) -> Optional[str]:
    """Where an article came from, comparable across runs: the real path when the file exists."""
    if not source or source == "-":
        return None
    p = Path(source)
    try:
        return os.path.realpath(p) if p.exists() else os.path.normpath(source)
    except OSError:
        return source


def _num(x):
    return None if x is None else float(x)


def _digest(data: bytes, original: Optional[str]) -> str:
    h = hashlib.sha256(data)
    h.update(b"\0" + (original or "").encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def delete_article(db: Backend, article_id: str) -> None:
    for table in ARTICLE_TABLES:
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
    if db.dialect == "sqlite":
        db.execute("DELETE FROM passage_fts WHERE rowid IN (SELECT id FROM passages WHERE article_id = ?)",
                   (article_id,))
    db.execute("DELETE FROM passages WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))


def store_article(db: Backend, article: Article, original: Optional[str] = None,
                  norm: Optional[Normalized] = None, key: Optional[str] = None) -> str:
    """Store one article; returns 'added', 'replaced' or 'unchanged'."""
    aid = article.article_id
    existing = db.execute("SELECT digest, original FROM articles WHERE article_id = ?", (aid,))
    if original is None and existing:
        original = existing[0]["original"]
    data = article.model_dump_json().encode()
    digest = _digest(data, original)
    key = key if key is not None else source_key(article.source)
    if existing and existing[0]["digest"] == digest:
        return "unchanged"
    with db.transaction():
        replaced = bool(existing)
        if existing:
            delete_article(db, aid)
        if key:
            for row in db.execute("SELECT article_id FROM articles WHERE source_key = ? AND article_id <> ?",
                                  (key, aid)):
                delete_article(db, row["article_id"])
                replaced = True
        if original is not None and norm is None:
            norm = normalize(original)
        _insert(db, article, original, norm, key, data, digest)
    return "replaced" if replaced else "added"


def _insert(db: Backend, a: Article, original, norm, key, data: bytes, digest: str) -> None:
    aid = a.article_id
    rows = _passage_rows(a, original, norm)
    db.execute(
        "INSERT INTO articles (article_id, source, source_key, trading_date, script, pipeline_version,"
        " original, normalized, data, digest, n_figures, n_claims, n_companies, n_themes, n_boards,"
        " n_passages, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (aid, a.source, key, a.trading_date, a.script, a.pipeline_version, original,
         norm.text if norm else None, data.decode(), digest, len(a.figures), len(a.claims),
         len(a.companies), len(a.themes), len(a.boards), len(rows), _now()))
    m = a.market
    stats = []
    for name, value in m:
        if name in ("indices", "evidence") or value is None or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            ev = m.evidence.get(name)
            stats.append((aid, name, float(value), ev.text if ev else None, ev.start if ev else None,
                          ev.end if ev else None, ev.rule if ev else None))
    db.executemany("INSERT INTO market_stats (article_id, stat, value, text, pos_start, pos_end, rule)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", stats)
    db.executemany(
        "INSERT INTO indices (article_id, idx, name, close, change_pct, text, pos_start, pos_end, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, q.name, q.close, q.change_pct, q.text, q.start, q.end, q.rule) for i, q in enumerate(m.indices)])
    db.executemany(
        "INSERT INTO figures (article_id, idx, text, pos_start, pos_end, value, low, high, unit, unit_text,"
        " approx, subject, metric, period, modality, sentence, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, f.text, f.start, f.end, _num(f.value), _num(f.low), _num(f.high), f.unit, f.unit_text,
          int(f.approx), f.subject, f.metric, f.period, f.modality, f.sentence, f.rule)
         for i, f in enumerate(a.figures)])
    db.executemany(
        "INSERT INTO claims (article_id, idx, key, subject, metric, period, value, low, high, unit,"
        " modality, figure, text, pos_start, pos_end, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, c.key, c.subject, c.metric, c.period, _num(c.value), _num(c.low), _num(c.high), c.unit,
          c.modality, c.figure, c.text, c.start, c.end, c.rule) for i, c in enumerate(a.claims)])
    db.executemany(
        "INSERT INTO companies (article_id, idx, name, code, exchange, listed, n_mentions, mentions, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, c.name, c.code, c.exchange, int(c.listed), len(c.mentions),
          orjson.dumps([x.model_dump() for x in c.mentions]).decode(), c.rule) for i, c in enumerate(a.companies)])
    db.executemany(
        "INSERT INTO themes (article_id, idx, name, leaders, role, n_mentions, mentions, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, t.name, orjson.dumps(t.leaders).decode(), t.role, len(t.mentions),
          orjson.dumps([x.model_dump() for x in t.mentions]).decode(), t.rule) for i, t in enumerate(a.themes)])
    db.executemany(
        "INSERT INTO boards (article_id, idx, company, code, boards, days, status, text, pos_start, pos_end, rule)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(aid, i, b.company, b.code, b.boards, b.days, b.status, b.text, b.start, b.end, b.rule)
         for i, b in enumerate(a.boards)])
    for kind, ref, ostart, oend, toks in rows:
        pid = db.execute("INSERT INTO passages (article_id, kind, ref, pos_start, pos_end"
                         + (", words, grams, chars" if db.dialect == "postgres" else "")
                         + ") VALUES (?, ?, ?, ?, ?" + (", ?::tsvector" * 3 if db.dialect == "postgres" else "")
                         + ") RETURNING id",
                         (aid, kind, ref, ostart, oend) + (
                             tuple(textindex.tsvector_literal(t) for t in (toks.words, toks.grams, toks.chars))
                             if db.dialect == "postgres" else ()))[0]["id"]
        if db.dialect == "sqlite":
            db.execute("INSERT INTO passage_fts (rowid, words, grams, chars) VALUES (?, ?, ?, ?)",
                       (pid, " ".join(toks.words), " ".join(toks.grams), " ".join(toks.chars)))


def _passage_rows(a: Article, original: Optional[str], norm: Optional[Normalized]):
    """(kind, ref, original start, original end, tokens) for text passages and claims."""
    rows = []
    spans = []
    if original is not None and norm is not None:
        for p in textindex.passages(norm.text):
            ostart, oend = norm.to_original(p.nstart, p.nend)
            spans.append((ostart, oend))
            rows.append(("text", None, ostart, oend, textindex.tokens(norm.text[p.nstart:p.nend].lower())))
    for i, c in enumerate(a.claims):
        doc = " ".join(x for x in (c.subject, c.metric, c.period, c.text) if x)
        window = next(((s, e) for s, e in spans if s <= c.start < e), (c.start, c.end))
        rows.append(("claim", i, window[0], window[1], textindex.tokens(textindex.search_form(doc))))
    return rows


# ---------------------------------------------------------------- inputs
@dataclass
class Item:
    """One thing to store, or one problem to report."""

    label: str  # path, or path: line N
    article: Optional[Article] = None
    original: Optional[str] = None
    norm: Optional[Normalized] = None
    key: Optional[str] = None
    error: Optional[str] = None


def expand_inputs(paths: list[str]) -> Iterator[tuple[Optional[Source], Optional[str], bool]]:
    """Like `recap parse`'s expansion, but folders also contribute their *.json and *.jsonl files.

    Yields `(source, problem, found_in_a_folder)`."""
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            found = []
            errors: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=errors.append, followlinks=False):
                dirs.sort()
                found += [Path(root) / n for n in sorted(files)
                          if n.lower().endswith(ARTICLE_SUFFIXES + JSON_SUFFIXES)]
            for f in found:
                yield Source(str(f), f.stem), None, True
            for e in errors:
                yield None, f"{e.filename}: {e.strerror or e}", True
        else:
            for src, problem in expand([p]):
                yield src, problem, False


def is_json(path: str) -> bool:
    return path.lower().endswith(JSON_SUFFIXES)


def _looks_like_articles(obj) -> bool:
    items = obj if isinstance(obj, list) else [obj]
    return any(isinstance(o, dict) and "article_id" in o for o in items)


def read_json(path: str, strict: bool = True) -> Iterator[Item]:
    """Articles from a .json file (one article, or a list) or a .jsonl file (one per line).

    Not `strict` (a file found in a folder): well-formed JSON that holds no article at all (an
    index, a config) is skipped silently; malformed JSON is still an error."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        yield Item(path, error=f"{path}: {e.strerror or e}")
        return
    if path.lower().endswith(".jsonl"):
        for n, line in enumerate(data.splitlines(), 1):
            if line.strip():
                yield _json_item(path, line, f"line {n}: ")
    else:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            yield Item(path, error=f"{path}: invalid JSON ({_short(e)})")
            return
        if not strict and not _looks_like_articles(obj):
            return
        for i, o in enumerate(obj if isinstance(obj, list) else [obj]):
            yield _json_item(path, o, f"item {i + 1}: " if isinstance(obj, list) else "")


def _json_item(path: str, raw, where: str) -> Item:
    label = f"{path}: {where.rstrip(': ')}" if where else path
    if isinstance(raw, (bytes, str)):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            return Item(label, error=f"{path}: {where}invalid JSON ({_short(e)})")
    if not isinstance(raw, dict):
        return Item(label, error=f"{path}: {where}not an article (a JSON object is expected)")
    text = raw.pop("text", None)
    try:
        article = Article.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "article"
        more = f" (+{e.error_count() - 1} more)" if e.error_count() > 1 else ""
        return Item(label, error=f"{path}: {where}not an article: {loc}: {err['msg']}{more}")
    original = text if isinstance(text, str) else _original_for(article, path)
    return Item(label, article=article, original=original, key=source_key(article.source))


def _original_for(article: Article, json_path: str) -> Optional[str]:
    """The article's original text, when its source file is at hand and still hashes to its id."""
    from ..pipeline import article_id

    if not article.source or article.source == "-":
        return None
    for candidate in (Path(article.source), Path(json_path).parent / article.source):
        try:
            if candidate.is_file():
                text = Source(str(candidate), candidate.stem).read()
                if article_id(text) == article.article_id:
                    return text
        except (InputError, OSError):
            continue
    return None


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:120]


# ---------------------------------------------------------------- batches
def ingest_paths(store, paths: list[str], *, date: Optional[str] = None, batch_size: int = 20,
                 on_error=None, on_stored=None):
    """Parse or read every input and store it, committing every `batch_size` articles.

    A killed run leaves every committed batch complete and nothing of the interrupted one; running
    again skips what is stored (same text, same pipeline) and stores the rest.
    """
    from ..pipeline import article_id, extract, pipeline_version
    from .core import IngestReport

    report = IngestReport()
    pending: list[Item] = []

    def fail(msg: str) -> None:
        report.errors.append(msg)
        if on_error:
            on_error(msg)

    def flush() -> None:
        if not pending:
            return
        with store.batch():
            for item in pending:
                try:
                    status = store.ingest(item.article, item.original, norm=item.norm, source_key=item.key)
                except Exception as e:  # one bad article must not lose the batch
                    reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
                    fail(f"{item.label}: cannot store: {reason}")
                    continue
                report.count(status)
                if on_stored:
                    on_stored(item, status)
        pending.clear()

    def add(item: Item) -> None:
        pending.append(item)
        if len(pending) >= batch_size:
            flush()

    for src, problem, found_in_folder in expand_inputs(paths):
        if problem:
            fail(problem)
            continue
        if src.path != "-" and is_json(src.path):
            for item in read_json(src.path, strict=not found_in_folder):
                if item.error:
                    fail(item.error)
                    continue
                if date and item.article.trading_date is None:
                    item.article.trading_date = date
                add(item)
        else:
            try:
                text = src.read()
            except InputError as e:
                fail(f"{src.path}: {e}")
                continue
            if store.has_current(article_id(text), pipeline_version()):
                report.unchanged += 1
                continue
            source = None if src.path == "-" else src.path
            add(Item(src.path, extract(text, source=source, date=date), text, key=source_key(source)))
    flush()
    return report
