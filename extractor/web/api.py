"""The JSON API under /api/: the same data as the pages, described by /openapi.json."""
from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ..models import Article
from ..store import Store
from . import params, queries
from .app import WebError, get_store

router = APIRouter(prefix="/api", tags=["api"])

DATE_DOC = "A trading date, YYYY-MM-DD."


class DayCount(BaseModel):
    date: str
    articles: int


class ArticleRow(BaseModel):
    article_id: str
    source: Optional[str] = None
    trading_date: Optional[str] = None
    script: Optional[str] = None
    pipeline_version: Optional[str] = None
    n_figures: int
    n_claims: int
    n_companies: int
    n_themes: int
    n_boards: int
    ingested_at: Optional[str] = None


class HitClaim(BaseModel):
    key: str
    subject: Optional[str] = None
    metric: Optional[str] = None
    period: Optional[str] = None
    value: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    unit: Optional[str] = None
    modality: Optional[str] = None
    text: Optional[str] = None
    start: Optional[int] = None
    end: Optional[int] = None


class Hit(BaseModel):
    article_id: str
    source: Optional[str] = None
    trading_date: Optional[str] = None
    kind: str = Field(description="'text' (a passage of the article) or 'claim'")
    score: float = Field(description="higher is better")
    start: int = Field(description="offset of the passage in the original text")
    end: int
    snippet: str = Field(description="original text, matches in 【】")
    snippet_html: str = Field(description="HTML-escaped snippet, matches in <mark>")
    highlights: list[tuple[int, int]] = Field(description="offsets of the matches in the original text")
    claim: Optional[HitClaim] = None
    url: str = Field(description="the article page, matches highlighted")


class ArticleOut(BaseModel):
    article: Article
    original: Optional[str] = Field(description="the original text; null when only JSON was stored")


class PointOut(BaseModel):
    date: str
    value: Optional[float] = None
    articles: int
    values: list[float] = []
    extracted: Optional[int] = None
    text_count: Optional[int] = None


class TimelineOut(BaseModel):
    kind: str = Field(description="market, index, claim, company or theme")
    name: str
    points: list[PointOut]


class DayOut(BaseModel):
    date: str
    articles: list[dict[str, Any]]
    market: list[dict[str, Any]]
    indices: list[dict[str, Any]]
    ladder: list[dict[str, Any]] = Field(description="board heights, highest first, each with its companies")
    themes: list[dict[str, Any]]


class CompareOut(BaseModel):
    day1: str
    day2: str
    sources1: list[str]
    sources2: list[str]
    market: list[dict[str, Any]]
    themes: dict[str, Any]
    ladder: dict[str, Any]
    changed: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


def hit_url(hit) -> str:
    from urllib.parse import quote, urlencode

    query = urlencode([("hl", f"{s}-{e}") for s, e in hit.highlights[:20]])
    return f"/article/{quote(hit.article_id, safe='')}" + (f"?{query}#hit" if query else "")


@router.get("/days", response_model=list[DayCount], summary="Trading days with stored articles, newest first")
def api_days(store: Store = Depends(get_store)):
    return queries.day_counts(store)


@router.get("/articles", response_model=list[ArticleRow], summary="Stored articles, optionally of one day")
def api_articles(date: Optional[str] = Query(None, description=DATE_DOC), store: Store = Depends(get_store)):
    return store.articles(date=params.date("date", date))


@router.get("/search", response_model=list[Hit], summary="Full-text search over articles and claims")
def api_search(
    q: Optional[str] = Query(None, description="Words to find (all must occur); Simplified or Traditional."),
    company: Optional[str] = Query(None, description="Only articles about this company (name or code)."),
    theme: Optional[str] = Query(None, description="Only articles about this theme."),
    metric: Optional[str] = Query(None, description="Only claims with this metric."),
    modality: Optional[str] = Query(None, description="Only claims of this modality: " + ", ".join(params.MODALITIES)),
    since: Optional[str] = Query(None, description="From this trading date (YYYY-MM-DD)."),
    until: Optional[str] = Query(None, description="Up to this trading date (YYYY-MM-DD)."),
    limit: int = Query(20, ge=1, le=200),
    store: Store = Depends(get_store),
):
    p = params.search_params(q, company, theme, metric, modality, since, until, limit)
    return [{**h.to_dict(), "url": hit_url(h)} for h in p.run(store)]


@router.get("/article/{article_id}", response_model=ArticleOut, summary="One stored article and its original text")
def api_article(article_id: str, store: Store = Depends(get_store)):
    loaded = store.article(article_id) if len(article_id) <= params.MAX_TEXT else None
    if loaded is None:
        raise WebError(404, f"no article {article_id[:80]!r} in the store")
    article, original = loaded
    return {"article": article, "original": original}


@router.get("/day/{day}", response_model=DayOut, summary="One trading day: market stats, board ladder, themes")
def api_day(day: str, store: Store = Depends(get_store)):
    summary = queries.day_summary(store, params.date("day", day))
    if summary is None:
        raise WebError(404, f"no articles stored for {day}")
    return summary.to_dict()


@router.get("/compare", response_model=CompareOut, summary="Two trading days side by side (as `recap compare`)")
def api_compare(day1: str = Query(..., description=DATE_DOC), day2: str = Query(..., description=DATE_DOC),
                store: Store = Depends(get_store)):
    return params.compare(store, day1, day2).to_dict()


@router.get("/timeline", response_model=TimelineOut,
            summary="A value or mention count per trading day (give one of metric, company, theme)")
def api_timeline(
    metric: Optional[str] = Query(None, description="A market statistic (limit_up, turnover, …), an index name "
                                                    "or a claim metric."),
    company: Optional[str] = Query(None, description="Mentions per day of a company (name or code)."),
    theme: Optional[str] = Query(None, description="Mentions per day of a theme."),
    since: Optional[str] = Query(None, description=DATE_DOC),
    until: Optional[str] = Query(None, description=DATE_DOC),
    store: Store = Depends(get_store),
):
    return params.timeline(store, params.timeline_target(metric, company, theme), since, until).to_dict()


@router.get("/catalog", summary="Names to filter by: companies, themes, claim metrics, indices, market stats")
def api_catalog(store: Store = Depends(get_store)) -> dict[str, list[str]]:
    return queries.catalog(store)
