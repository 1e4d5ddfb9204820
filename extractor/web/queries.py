"""What the pages need from the store beyond its public calls: a day's summary, the names to offer
in the filters, the days around a day. Read-only SQL through the store's own connection."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date as _date
from typing import Optional

from ..dates import valid
from ..store import Store
from ..store.timeline import MARKET_STATS


def check_date(value: Optional[str]) -> Optional[str]:
    """YYYY-MM-DD and a real calendar day, else ValueError."""
    if value is None or value == "":
        return None
    ok = len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isascii() \
        and value.replace("-", "").isdigit()
    if not ok or valid(int(value[:4]), int(value[5:7]), int(value[8:])) is None:
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")
    return value


def today() -> str:
    return _date.today().isoformat()


# ---------------------------------------------------------------- names for the filters
def catalog(store: Store) -> dict[str, list[str]]:
    """Company names, themes, claim metrics, index names and market statistics, most frequent first."""
    db = store.db

    def names(sql: str) -> list[str]:
        return [r["name"] for r in db.execute(sql) if r["name"]]

    return {
        "companies": names("SELECT name, count(*) AS n FROM companies GROUP BY name ORDER BY n DESC, name LIMIT 500"),
        "themes": names("SELECT name, count(*) AS n FROM themes GROUP BY name ORDER BY n DESC, name LIMIT 500"),
        "metrics": names("SELECT metric AS name, count(*) AS n FROM claims WHERE metric IS NOT NULL"
                         " GROUP BY metric ORDER BY n DESC, metric LIMIT 500"),
        "indices": names("SELECT name, count(*) AS n FROM indices GROUP BY name ORDER BY n DESC, name LIMIT 100"),
        "market": list(MARKET_STATS),
    }


def day_counts(store: Store) -> list[dict]:
    """Every trading day with stored articles, newest first: date, articles."""
    rows = store.db.execute("SELECT trading_date AS date, count(*) AS articles FROM articles"
                            " WHERE trading_date IS NOT NULL GROUP BY trading_date ORDER BY trading_date DESC")
    return [{"date": r["date"], "articles": int(r["articles"])} for r in rows]


def undated(store: Store, limit: int = 50) -> list[dict]:
    """Articles that state no trading date (and were given none): article_id, source."""
    return store.db.execute("SELECT article_id, source FROM articles WHERE trading_date IS NULL"
                            " ORDER BY source, article_id LIMIT ?", (limit,))


def neighbours(days: list[str], day: str) -> tuple[Optional[str], Optional[str]]:
    """The stored trading days before and after `day` (days sorted ascending)."""
    before = [d for d in days if d < day]
    after = [d for d in days if d > day]
    return (before[-1] if before else None), (after[0] if after else None)


# ---------------------------------------------------------------- a day
@dataclass
class DaySummary:
    date: str
    articles: list[dict]  # article_id, source, n_figures, …
    market: list[dict] = field(default_factory=list)  # stat, value, values, evidence [{article_id, text, anchor}]
    indices: list[dict] = field(default_factory=list)  # name, close, change_pct, article_id, text, anchor
    ladder: list[dict] = field(default_factory=list)  # boards, companies [{company, code, status, days, article_id, anchor}]
    themes: list[dict] = field(default_factory=list)  # name, mentions, articles, leaders, article_ids

    def to_dict(self) -> dict:
        return asdict(self)


def day_summary(store: Store, day: str) -> Optional[DaySummary]:
    rows = store.articles(date=day)
    if not rows:
        return None
    summary = DaySummary(day, [{k: r[k] for k in ("article_id", "source", "script", "n_figures", "n_claims",
                                                   "n_companies", "n_themes", "n_boards")} for r in rows])
    stats: dict[str, list[tuple[float, dict]]] = {}
    best_board: dict[str, dict] = {}
    themes: dict[str, dict] = {}
    for r in rows:
        loaded = store.article(r["article_id"])
        if loaded is None:
            continue
        a, _ = loaded
        aid = a.article_id
        for name in MARKET_STATS:
            v = getattr(a.market, name, None)
            if v is None:
                continue
            ev = a.market.evidence.get(name)
            stats.setdefault(name, []).append((float(v), {
                "article_id": aid, "source": a.source, "value": v, "text": ev.text if ev else None,
                "anchor": f"market-{name}" if ev else None}))
        for i, q in enumerate(a.market.indices):
            summary.indices.append({"name": q.name, "close": q.close, "change_pct": q.change_pct,
                                    "article_id": aid, "text": q.text, "anchor": f"index-{i}"})
        for i, b in enumerate(a.boards):
            cur = best_board.get(b.company)
            if cur is None or b.boards > cur["boards"]:
                best_board[b.company] = {"company": b.company, "code": b.code, "boards": b.boards, "days": b.days,
                                         "status": b.status, "text": b.text, "article_id": aid,
                                         "anchor": f"board-{i}"}
        for t in a.themes:
            entry = themes.setdefault(t.name, {"name": t.name, "mentions": 0, "articles": 0, "leaders": [],
                                               "article_ids": []})
            entry["mentions"] += len(t.mentions)
            entry["articles"] += 1
            entry["article_ids"].append(aid)
            entry["leaders"] += [x for x in t.leaders if x not in entry["leaders"]]
    for name in MARKET_STATS:
        if name in stats:
            values = [v for v, _ in stats[name]]
            counts = Counter(values)
            top = max(counts.values())
            summary.market.append({"stat": name, "value": min(v for v, n in counts.items() if n == top),
                                   "values": sorted(set(values)), "evidence": [e for _, e in stats[name]]})
    heights: dict[int, list[dict]] = {}
    for b in best_board.values():
        heights.setdefault(b["boards"], []).append(b)
    summary.ladder = [{"boards": h, "companies": sorted(heights[h], key=lambda x: x["company"])}
                      for h in sorted(heights, reverse=True)]
    summary.themes = sorted(themes.values(), key=lambda t: (-t["mentions"], -t["articles"], t["name"]))
    return summary
