"""Query parameters shared by the pages and the API, checked once: bad ones are a 422, never a crash."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..store import Store, StoreError
from .app import WebError
from .queries import check_date

MODALITIES = ("fact", "rumor", "forecast", "estimate", "opinion")
MAX_TEXT = 200  # longest query or name accepted


def blank(value: Optional[str]) -> Optional[str]:
    """Form fields arrive as empty strings when left empty."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise WebError(422, f"{value[:20]}…: longer than {MAX_TEXT} characters")
    return value or None


def date(name: str, value: Optional[str]) -> Optional[str]:
    try:
        return check_date(blank(value))
    except ValueError as e:
        raise WebError(422, f"{name}: {e}") from None


def date_range(since: Optional[str], until: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    since, until = date("since", since), date("until", until)
    if since and until and since > until:
        raise WebError(422, f"since ({since}) is after until ({until})")
    return since, until


@dataclass
class SearchParams:
    q: Optional[str] = None
    company: Optional[str] = None
    theme: Optional[str] = None
    metric: Optional[str] = None
    modality: Optional[str] = None
    since: Optional[str] = None
    until: Optional[str] = None
    limit: int = 20

    @property
    def filters(self) -> dict:
        return {k: getattr(self, k) for k in ("company", "theme", "metric", "modality", "since", "until")}

    def run(self, store: Store):
        return store.search(self.q or "", limit=self.limit, **self.filters)


def search_params(q, company, theme, metric, modality, since, until, limit) -> SearchParams:
    p = SearchParams(blank(q), blank(company), blank(theme), blank(metric), blank(modality), limit=limit)
    p.since, p.until = date_range(since, until)
    if p.modality and p.modality not in MODALITIES:
        raise WebError(422, f"modality: {p.modality!r} is not one of {', '.join(MODALITIES)}")
    if not (p.q or p.company or p.theme or p.metric or p.modality):
        raise WebError(422, "empty query: type words to search for, or choose a company, theme, metric or modality")
    return p


def timeline_target(metric, company, theme) -> dict:
    given = {k: v for k, v in (("metric", blank(metric)), ("company", blank(company)), ("theme", blank(theme))) if v}
    if len(given) != 1:
        raise WebError(422, "give exactly one of metric, company, theme")
    return given


def timeline(store: Store, target: dict, since, until):
    since, until = date_range(since, until)
    try:
        return store.timeline(**target, since=since, until=until)
    except StoreError as e:
        raise WebError(404, str(e)) from None


def compare(store: Store, day1: Optional[str], day2: Optional[str]):
    d1, d2 = date("day1", day1), date("day2", day2)
    if not (d1 and d2):
        raise WebError(422, "give two trading days, day1 and day2 (YYYY-MM-DD)")
    try:
        return store.compare(d1, d2)
    except StoreError as e:
        raise WebError(404, str(e)) from None
