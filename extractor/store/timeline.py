"""A number per trading day: a market statistic, an index close, a claim metric, or how often a
company or theme is mentioned; as a table, JSON, or a PNG chart."""
from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..models import Market
from ..normalize import normalize
from .db import StoreError

if TYPE_CHECKING:
    from .core import Store

MARKET_STATS = [name for name, f in Market.model_fields.items() if name not in ("indices", "evidence")]


@dataclass
class TimelinePoint:
    date: str
    value: Optional[float]  # the day's value (most reported one), or mention count
    articles: int  # articles stored for that day
    values: list[float] = field(default_factory=list)  # every distinct value reported that day
    extracted: Optional[int] = None  # company/theme: mentions the extractor found
    text_count: Optional[int] = None  # company/theme: literal occurrences in the text


@dataclass
class Timeline:
    kind: str  # market, index, claim, company, theme
    name: str
    points: list[TimelinePoint]

    def to_dict(self) -> dict:
        return asdict(self)


def _consensus(values: list[float]) -> Optional[float]:
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)


def _days(store: "Store", since, until) -> dict[str, int]:
    where, params = _range(since, until)
    rows = store.db.execute(
        f"SELECT trading_date AS d, count(*) AS n FROM articles a WHERE trading_date IS NOT NULL{where}"
        " GROUP BY trading_date ORDER BY trading_date", params)
    return {r["d"]: r["n"] for r in rows}


def _range(since, until) -> tuple[str, list]:
    where, params = "", []
    if since:
        where += " AND a.trading_date >= ?"
        params.append(since)
    if until:
        where += " AND a.trading_date <= ?"
        params.append(until)
    return where, params


def timeline(store: "Store", *, metric: Optional[str] = None, company: Optional[str] = None,
             theme: Optional[str] = None, since: Optional[str] = None, until: Optional[str] = None) -> Timeline:
    if sum(x is not None for x in (metric, company, theme)) != 1:
        raise StoreError("give exactly one of metric, company, theme")
    days = _days(store, since, until)
    if metric is not None:
        return _values_timeline(store, metric, days, since, until)
    return _mentions_timeline(store, "companies" if company else "themes", company or theme, days, since, until)


def _values_timeline(store, metric, days, since, until) -> Timeline:
    db = store.db
    where, params = _range(since, until)
    name = normalize(metric).text.strip()
    if metric in MARKET_STATS:
        kind, sql, args = "market", "SELECT a.trading_date AS d, m.value AS v FROM market_stats m JOIN articles a" \
            " ON a.article_id = m.article_id WHERE m.stat = ?", [metric]
    elif db.execute("SELECT 1 AS x FROM indices WHERE name = ? LIMIT 1", (name,)):
        kind, sql, args = "index", "SELECT a.trading_date AS d, i.close AS v FROM indices i JOIN articles a" \
            " ON a.article_id = i.article_id WHERE i.name = ? AND i.close IS NOT NULL", [name]
    elif db.execute("SELECT 1 AS x FROM claims WHERE metric = ? LIMIT 1", (name,)):
        kind, sql, args = "claim", "SELECT a.trading_date AS d, c.value AS v FROM claims c JOIN articles a" \
            " ON a.article_id = c.article_id WHERE c.metric = ? AND c.value IS NOT NULL", [name]
    else:
        raise StoreError(f"unknown metric {metric!r}: not a market statistic ({', '.join(MARKET_STATS)}),"
                         " a stored index name or a claim metric")
    by_day: dict[str, list[float]] = {}
    for r in db.execute(sql + " AND a.trading_date IS NOT NULL" + where, args + params):
        by_day.setdefault(r["d"], []).append(float(r["v"]))
    points = [TimelinePoint(d, _consensus(by_day.get(d, [])), n, sorted(set(by_day.get(d, []))))
              for d, n in days.items()]
    return Timeline(kind, metric if kind == "market" else name, points)


def _mentions_timeline(store, table, value, days, since, until) -> Timeline:
    db = store.db
    where, params = _range(since, until)
    name = normalize(value).text.strip()
    if table == "companies":
        rows = db.execute("SELECT name FROM companies WHERE code = ? OR name = ? LIMIT 1", (name, name))
        text_name = rows[0]["name"] if rows else name
        match, margs = "(t.name = ? OR t.code = ?)", [name, name]
    else:
        text_name, match, margs = name, "t.name = ?", [name]
    extracted = {r["d"]: int(r["n"]) for r in db.execute(
        f"SELECT a.trading_date AS d, sum(t.n_mentions) AS n FROM {table} t JOIN articles a"
        f" ON a.article_id = t.article_id WHERE {match} AND a.trading_date IS NOT NULL{where}"
        " GROUP BY a.trading_date", margs + params)}
    literal = {r["d"]: int(r["n"] or 0) for r in db.execute(
        "SELECT a.trading_date AS d, sum((length(a.normalized) - length(replace(a.normalized, ?, '')))"
        " / length(?)) AS n FROM articles a WHERE a.normalized IS NOT NULL AND a.trading_date IS NOT NULL"
        f"{where} GROUP BY a.trading_date", [text_name, text_name] + params)} if text_name else {}
    known = bool(extracted)
    points = []
    for d, n in days.items():
        e, t = extracted.get(d, 0), literal.get(d, 0)
        points.append(TimelinePoint(d, float(e if known else t), n, [], e, t))
    return Timeline("company" if table == "companies" else "theme", name, points)


# ---------------------------------------------------------------- output
def _fmt(v: Optional[float]) -> str:
    if v is None:
        return "-"
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.10g}"


def table(tl: Timeline) -> str:
    mentions = tl.kind in ("company", "theme")
    head = ["date", "mentions" if mentions else tl.name, "articles"]
    head += ["extracted", "in text"] if mentions else ["all values"]
    rows = [head]
    for p in tl.points:
        row = [p.date, _fmt(p.value), str(p.articles)]
        row += [str(p.extracted), str(p.text_count)] if mentions else \
            [", ".join(map(_fmt, p.values)) if len(p.values) > 1 else ""]
        rows.append(row)
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip() for r in rows)


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


_CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN"]


def plot(tl: Timeline, path: str) -> None:
    """A line chart of the timeline (matplotlib, Agg); CJK labels only when a CJK font is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in _CJK_FONTS if f in available]
    label = tl.name if (cjk or tl.name.isascii()) else _ascii_label(tl)
    what = "mentions per day" if tl.kind in ("company", "theme") else "value per trading day"
    dates = [p.date for p in tl.points]
    values = [p.value if p.value is not None else float("nan") for p in tl.points]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with matplotlib.rc_context({"font.sans-serif": cjk + ["DejaVu Sans"]} if cjk else {}):
            fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(dates) + 2), 4), dpi=100)
            ax.plot(range(len(dates)), values, marker="o")
            for x, v in enumerate(values):
                if v == v:
                    ax.annotate(_short(v), (x, v), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
            ax.set_xticks(range(len(dates)))
            ax.set_xticklabels(dates, rotation=45, ha="right", fontsize=8)
            ax.set_title(f"{label}: {what}")
            ax.set_ylabel(label)
            if tl.kind in ("company", "theme"):
                from matplotlib.ticker import MaxNLocator

                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
            fig.tight_layout()
            fig.savefig(path)
            plt.close(fig)


def _short(v: float) -> str:
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(v) >= scale:
            return f"{v / scale:.4g}{suffix}"
    return _fmt(v)


def _ascii_label(tl: Timeline) -> str:
    return f"{tl.kind} ({len(tl.name)}-character name)" if tl.kind != "market" else tl.name


def timeline_command(
    metric: Optional[str] = typer.Option(None, "--metric", help=f"A market statistic ({', '.join(MARKET_STATS)}), an index name or a claim metric."),
    company: Optional[str] = typer.Option(None, "--company", help="Mentions per day of a company (name or code)."),
    theme: Optional[str] = typer.Option(None, "--theme", help="Mentions per day of a theme."),
    since: Optional[str] = typer.Option(None, "--since", help="From this trading date."),
    until: Optional[str] = typer.Option(None, "--until", help="Up to this trading date."),
    as_json: bool = typer.Option(False, "--json", help="Print the timeline as JSON."),
    plot_file: Optional[Path] = typer.Option(None, "--plot", help="Also draw a chart into FILE.png."),
    db: Optional[str] = typer.Option(None, "--db", help="Store: a SQLite file, or postgresql://… (default: $RECAP_DB, else recap.db)."),
) -> None:
    """A value or mention count per trading day."""
    from .commands import _date, _error, _open, _print_json

    since, until = _date(since), _date(until)
    if sum(x is not None for x in (metric, company, theme)) != 1:
        raise typer.BadParameter("give exactly one of --metric, --company, --theme")
    store = _open(db, read_only=True)
    try:
        tl = store.timeline(metric=metric, company=company, theme=theme, since=since, until=until)
    except StoreError as e:
        _error(str(e))
        raise typer.Exit(1) from None
    finally:
        store.close()
    if as_json:
        _print_json(tl.to_dict())
    else:
        typer.echo(table(tl))
    if plot_file:
        try:
            plot(tl, str(plot_file))
        except ImportError:
            _error("--plot needs matplotlib: pip install 'recap-extractor[plot]'")
            raise typer.Exit(1) from None
        except OSError as e:
            _error(f"{plot_file}: {e.strerror or e}")
            raise typer.Exit(1) from None
