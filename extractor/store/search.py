"""Full-text search over stored article text and claims (see textindex for the tokens)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Optional

from ..normalize import normalize
from . import textindex
from .textindex import Query

if TYPE_CHECKING:
    from .core import Store

DEFAULT_LIMIT = 20


@dataclass
class SearchHit:
    article_id: str
    source: Optional[str]
    trading_date: Optional[str]
    kind: str  # "text" (a passage of the article) or "claim"
    score: float  # higher is better
    start: int  # original offsets of the passage (or of the claim's context)
    end: int
    snippet: str  # original text with matches in 【】
    snippet_html: str  # HTML-escaped, matches in <mark>
    highlights: list[tuple[int, int]] = field(default_factory=list)  # original offsets of matches
    claim: Optional[dict] = None  # key, subject, metric, period, value, low, high, unit, modality, text
    segments: list[tuple[str, bool]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("segments")
        d["highlights"] = [list(h) for h in self.highlights]
        return d


def _norm(text: str) -> str:
    return normalize(text).text


def search(store: "Store", query: str, *, company: Optional[str] = None, theme: Optional[str] = None,
           metric: Optional[str] = None, modality: Optional[str] = None, since: Optional[str] = None,
           until: Optional[str] = None, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Hits for `query` (every whitespace-separated term must occur), best first.

    Filters: `company` (name or code: extracted, or named in the text), `theme`, claim `metric` and
    `modality` (these restrict hits to claims), trading dates `since`/`until` (inclusive).
    """
    db = store.db
    q = textindex.parse_query(query)
    if not q and (company or theme):
        name = company or theme
        if company:  # a code: search for the name the extractor gave it
            rows = db.execute("SELECT name FROM companies WHERE code = ? LIMIT 1", (company.strip(),))
            name = rows[0]["name"] if rows else company
        q = textindex.parse_query(name)
    if not q and not (metric or modality):
        return []
    where: list[str] = []
    params: list = []
    if since:
        where.append("a.trading_date >= ?")
        params.append(since)
    if until:
        where.append("a.trading_date <= ?")
        params.append(until)
    for table, value in (("companies", company), ("themes", theme)):
        if value:
            name = _norm(value).strip()
            extra = " OR code = ?" if table == "companies" else ""
            where.append(f"(a.article_id IN (SELECT article_id FROM {table} WHERE name = ?{extra})"
                         f" OR {db.contains('a.normalized')})")
            params += [name, name] if extra else [name]
            params.append(name)
    if metric or modality:
        cond = ["c.article_id = p.article_id", "c.idx = p.ref"]
        if metric:
            cond.append("c.metric = ?")
            params.append(_norm(metric).strip())
        if modality:
            cond.append("c.modality = ?")
            params.append(modality)
        where.append(f"p.kind = 'claim' AND EXISTS (SELECT 1 FROM claims c WHERE {' AND '.join(cond)})")

    cols = ("p.id, p.article_id, p.kind, p.ref, p.pos_start, p.pos_end, a.source, a.trading_date")
    if not q:
        sql = (f"SELECT {cols}, 0.0 AS score FROM passages p JOIN articles a ON a.article_id = p.article_id"
               f" WHERE {' AND '.join(where)} ORDER BY a.trading_date DESC, p.id LIMIT ?")
        rows = db.execute(sql, [*params, limit])
    elif db.dialect == "sqlite":
        sql = (f"SELECT {cols}, -bm25(passage_fts, 4.0, 1.0, 1.0) AS score FROM passage_fts"
               " JOIN passages p ON p.id = passage_fts.rowid JOIN articles a ON a.article_id = p.article_id"
               f" WHERE passage_fts MATCH ?{''.join(' AND ' + w for w in where)}"
               " ORDER BY score DESC, a.trading_date DESC, p.id LIMIT ?")
        rows = db.execute(sql, [q.fts5(), *params, limit])
    else:
        match, match_params, score, score_params = _postgres_match(q)
        sql = (f"SELECT {cols}, {score} AS score FROM passages p JOIN articles a ON a.article_id = p.article_id"
               f" WHERE {match}{''.join(' AND ' + w for w in where)}"
               " ORDER BY score DESC, a.trading_date DESC, p.id LIMIT ?")
        rows = db.execute(sql, [*score_params, *match_params, *params, limit])
    return _hits(store, rows, q)


def _postgres_match(q: Query) -> tuple[str, list, str, list]:
    match, match_params, score, score_params = [], [], [], []
    for c in q.clauses:
        field_ = c.field
        match.append(f"(p.{field_} @@ ?::tsquery OR p.words @@ ?::tsquery)")
        match_params += [q.tsquery(c), textindex.quote_ts(c.word)]
        score.append(f"ts_rank(p.{field_}, ?::tsquery)")
        score_params.append(q.tsquery(c))
    wq = q.words_tsquery()
    if wq:
        score.append("4 * ts_rank(p.words, ?::tsquery)")
        score_params.append(wq)
    return " AND ".join(match), match_params, " + ".join(score), score_params


def _hits(store: "Store", rows: list[dict], q: Query) -> list[SearchHit]:
    db = store.db
    originals: dict[str, Optional[str]] = {}
    hits = []
    for r in rows:
        aid = r["article_id"]
        if aid not in originals:
            originals[aid] = db.execute("SELECT original FROM articles WHERE article_id = ?", (aid,))[0]["original"]
        original = originals[aid]
        claim = None
        focus = None
        if r["kind"] == "claim":
            c = db.execute("SELECT key, subject, metric, period, value, low, high, unit, modality, text,"
                           " pos_start, pos_end FROM claims WHERE article_id = ? AND idx = ?", (aid, r["ref"]))
            if c:
                claim = {k: c[0][k] for k in ("key", "subject", "metric", "period", "value", "low", "high",
                                              "unit", "modality", "text")}
                claim["start"], claim["end"] = c[0]["pos_start"], c[0]["pos_end"]
                focus = (claim["start"], claim["end"])
        if original is not None:
            snip = textindex.snippet(original, r["pos_start"], r["pos_end"], q, focus)
        else:
            text = (claim or {}).get("text") or ""
            snip = textindex.snippet(text, 0, len(text), q, (0, len(text)))
            shift = r["pos_start"]
            snip.highlights = [(s + shift, e + shift) for s, e in snip.highlights]
        hits.append(SearchHit(
            article_id=aid, source=r["source"], trading_date=r["trading_date"], kind=r["kind"],
            score=round(float(r["score"] or 0.0), 6), start=r["pos_start"], end=r["pos_end"],
            snippet=snip.text, snippet_html=snip.html, highlights=snip.highlights, claim=claim,
            segments=snip.segments))
    return hits
