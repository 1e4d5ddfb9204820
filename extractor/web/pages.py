"""The HTML pages: home, search, article, day, compare, timeline, and a list of the API endpoints."""
from __future__ import annotations

from typing import Optional

import orjson
from fastapi import APIRouter, Depends, Query, Request

from ..store import Store
from . import charts, fmt, highlight, params, queries
from .api import hit_url
from .app import WebError, get_store, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, store: Store = Depends(get_store)):
    days = queries.day_counts(store)
    dated = [d["date"] for d in days]
    for i, d in enumerate(days):
        d["previous"] = dated[i + 1] if i + 1 < len(dated) else None
    cat = queries.catalog(store)
    return render(request, "home.html", title="recap corpus", days=days, counts=store.counts(), catalog=cat,
                  undated=queries.undated(store))


@router.get("/search")
def search_page(
    request: Request,
    q: Optional[str] = None, company: Optional[str] = None, theme: Optional[str] = None,
    metric: Optional[str] = None, modality: Optional[str] = None, since: Optional[str] = None,
    until: Optional[str] = None, limit: int = Query(20, ge=1, le=200),
    store: Store = Depends(get_store),
):
    form = {"q": q or "", "company": company or "", "theme": theme or "", "metric": metric or "",
            "modality": modality or "", "since": since or "", "until": until or "", "limit": limit}
    ctx = {"title": f"search: {q}" if q else "search", "form": form, "catalog": queries.catalog(store),
           "modalities": params.MODALITIES, "hits": None, "error": None}
    if all(v is None for v in (q, company, theme, metric, modality, since, until)):
        return render(request, "search.html", **ctx)
    try:
        p = params.search_params(q, company, theme, metric, modality, since, until, limit)
    except WebError as e:
        return render(request, "search.html", status=e.status, **{**ctx, "error": e.message})
    hits = p.run(store)
    ctx["hits"] = [{"hit": h, "url": hit_url(h)} for h in hits]
    return render(request, "search.html", **ctx)


@router.get("/article/{article_id}")
def article_page(request: Request, article_id: str, hl: list[str] = Query([]),
                 store: Store = Depends(get_store)):
    loaded = store.article(article_id) if len(article_id) <= params.MAX_TEXT else None
    if loaded is None:
        raise WebError(404, f"no article {article_id[:80]!r} in the store")
    hits = highlight.parse_hits(hl)
    if hits is None:
        raise WebError(422, "hl: give match offsets as START-END (e.g. hl=12-20)")
    article, original = loaded
    marked = highlight.mark(original, highlight.article_spans(article, hits)) if original is not None else None
    data = orjson.dumps(article.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode()
    kinds = {"figure": len(article.figures), "company": len(article.companies), "theme": len(article.themes),
             "board": len(article.boards),
             "market": len(article.market.evidence) + len(article.market.indices), "hit": len(hits)}
    return render(request, "article.html", title=article.source or article.article_id, article=article,
                  marked=marked, json_text=data, kinds=kinds)


@router.get("/day/{day}")
def day_page(request: Request, day: str, store: Store = Depends(get_store)):
    day = params.date("day", day)
    summary = queries.day_summary(store, day)
    if summary is None:
        raise WebError(404, f"no articles stored for {day}")
    previous, following = queries.neighbours(store.days(), day)
    return render(request, "day.html", title=day, day=summary, previous=previous, following=following)


@router.get("/compare")
def compare_page(request: Request, day1: Optional[str] = None, day2: Optional[str] = None,
                 store: Store = Depends(get_store)):
    days = store.days()
    if day1 is None and day2 is None and len(days) >= 2:
        day1, day2 = days[-2], days[-1]
    ctx = {"title": "compare", "days": days, "form": {"day1": day1 or "", "day2": day2 or ""}, "cmp": None}
    if day1 is None and day2 is None:
        return render(request, "compare.html", **ctx)
    try:
        ctx["cmp"] = params.compare(store, day1, day2)
    except WebError as e:
        return render(request, "compare.html", status=e.status, error=e.message, **ctx)
    ctx["title"] = f"{day1} vs {day2}"
    return render(request, "compare.html", **ctx)


@router.get("/timeline")
def timeline_page(
    request: Request,
    metric: Optional[str] = None, company: Optional[str] = None, theme: Optional[str] = None,
    kind: Optional[str] = None, name: Optional[str] = None,
    since: Optional[str] = None, until: Optional[str] = None,
    store: Store = Depends(get_store),
):
    if kind is not None or name is not None:  # the page's own form: kind=company&name=…
        if kind not in ("metric", "company", "theme"):
            raise WebError(422, "kind: one of metric, company, theme")
        metric, company, theme = ((name if kind == k else None) for k in ("metric", "company", "theme"))
    if not any(params.blank(x) for x in (metric, company, theme)):
        metric = "limit_up"
    target = params.timeline_target(metric, company, theme)
    (what, value), = target.items()
    form = {"kind": what, "name": value, "since": since or "", "until": until or ""}
    ctx = {"form": form, "catalog": queries.catalog(store), "title": f"timeline: {value}"}
    try:
        tl = params.timeline(store, target, since, until)
    except WebError as e:
        return render(request, "timeline.html", status=e.status, error=e.message, tl=None, chart=None, **ctx)
    mentions = tl.kind in ("company", "theme")
    title = f"{tl.name}: mentions per day" if mentions else f"{fmt.stat_label(tl.name)}: value per trading day"
    chart = charts.chart([(p.date, p.value) for p in tl.points], title=title, bars=mentions)
    return render(request, "timeline.html", tl=tl, chart=chart, mentions=mentions, **ctx)


@router.get("/api")
def api_index(request: Request):
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            endpoints.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                              "params": [p["name"] for p in op.get("parameters", [])]})
    return render(request, "api.html", title="JSON API", endpoints=endpoints)
