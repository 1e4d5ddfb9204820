"""Two days side by side: market stats with deltas, themes new/continuing/dropped, the board ladder,
claims whose value changed, and same-day conflicts between articles, each with its evidence."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from ..dates import valid
from ..models import Article
from .db import StoreError
from .textindex import _clean

if TYPE_CHECKING:
    from .core import Store

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class Day:
    label: str
    articles: list[tuple[Article, Optional[str]]]  # (article, original text or None)


@dataclass
class Comparison:
    day1: str
    day2: str
    sources1: list[str]
    sources2: list[str]
    market: list[dict] = field(default_factory=list)  # stat, day1, day2, delta, change_pct
    themes: dict = field(default_factory=dict)  # new, continuing, dropped
    ladder: dict = field(default_factory=dict)  # continued, broken, new, other
    changed: list[dict] = field(default_factory=list)  # key, day1 {evidence}, day2 {evidence}
    conflicts: list[dict] = field(default_factory=list)  # day, key, a {evidence}, b {evidence}

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- loading days
def load_day(store: Optional["Store"], spec: str) -> Day:
    """A trading date (the stored articles of that day) or the path of an article file."""
    path = Path(spec)
    if path.is_file():
        return Day(spec, _read_file(spec))
    m = _DATE.match(spec)
    if not m or valid(*map(int, m.groups())) is None:
        raise StoreError(f"{spec}: no such file, and not a YYYY-MM-DD date")
    if store is None:
        raise StoreError(f"{spec}: comparing stored days needs a store")
    rows = store.db.execute("SELECT data, original FROM articles WHERE trading_date = ? ORDER BY source, article_id",
                            (spec,))
    if not rows:
        raise StoreError(f"{spec}: no articles stored for this trading date")
    return Day(spec, [(Article.model_validate_json(r["data"]), r["original"]) for r in rows])


def _read_file(path: str) -> list[tuple[Article, Optional[str]]]:
    from ..io import Source
    from ..pipeline import extract
    from .ingest import is_json, read_json

    if is_json(path):
        out = []
        for item in read_json(path):
            if item.error:
                raise StoreError(item.error)
            out.append((item.article, item.original))
        return out
    try:
        text = Source(path, Path(path).stem).read()
    except Exception as e:
        raise StoreError(f"{path}: {e}") from None
    return [(extract(text, source=path), text)]


# ---------------------------------------------------------------- evidence
def _context(original: Optional[str], start: int, end: int, width: int = 30) -> Optional[str]:
    """The evidence with `width` characters around it, tags removed, the evidence in 【】."""
    if original is None:
        return None
    before = original[max(0, start - width):start]
    after = original[end:end + width]
    gt, lt = before.find(">"), before.find("<")
    if gt != -1 and (lt == -1 or gt < lt):  # the window starts inside a tag
        before = before[gt + 1:]
    lt, gt = after.rfind("<"), after.rfind(">")
    if lt > gt:  # the window ends inside a tag
        after = after[:lt]
    return _clean(before).lstrip() + "【" + _clean(original[start:end]) + "】" + _clean(after).rstrip()


def _side(article: Article, original: Optional[str], value, text: str, start: int, end: int, **extra) -> dict:
    return {"value": value, **extra, "text": text, "context": _context(original, start, end),
            "article_id": article.article_id, "source": article.source}


def _val(x) -> Optional[float]:
    return None if x is None else round(float(x), 9)


# ---------------------------------------------------------------- market
def _market_values(day: Day) -> dict[str, list[tuple[float, dict]]]:
    out: dict[str, list[tuple[float, dict]]] = {}
    for a, original in day.articles:
        for name, value in a.market:
            if name in ("indices", "evidence") or value is None or isinstance(value, bool) \
                    or not isinstance(value, (int, float)):
                continue
            ev = a.market.evidence.get(name)
            side = _side(a, original, value, ev.text if ev else "", ev.start if ev else 0, ev.end if ev else 0) \
                if ev else {"value": value, "text": None, "context": None, "article_id": a.article_id,
                            "source": a.source}
            out.setdefault(name, []).append((_val(value), side))
        for q in a.market.indices:
            for attr in ("close", "change_pct"):
                v = getattr(q, attr)
                if v is not None:
                    out.setdefault(f"{q.name}.{attr}", []).append(
                        (_val(v), _side(a, original, v, q.text, q.start, q.end)))
    return out


def _consensus(values: list[tuple]):
    counts = Counter(v for v, _ in values)
    best = max(counts.values())
    return next(v for v, _ in values if counts[v] == best)


def _market(d1: Day, d2: Day) -> list[dict]:
    m1, m2 = _market_values(d1), _market_values(d2)
    order = [n for n in list(m1) + [n for n in m2 if n not in m1]]
    rows = []
    for name in order:
        v1 = _consensus(m1[name]) if name in m1 else None
        v2 = _consensus(m2[name]) if name in m2 else None
        delta = round(v2 - v1, 9) if v1 is not None and v2 is not None else None
        pct = round(100 * delta / abs(v1), 2) if delta is not None and v1 else None
        rows.append({"stat": name, "day1": v1, "day2": v2, "delta": delta, "change_pct": pct})
    return rows


# ---------------------------------------------------------------- themes and ladder
def _themes(d1: Day, d2: Day) -> dict:
    def names(day):
        seen: dict[str, None] = {}
        for a, _ in day.articles:
            for t in a.themes:
                seen.setdefault(t.name, None)
        return list(seen)

    t1, t2 = names(d1), names(d2)
    return {"new": [t for t in t2 if t not in t1], "continuing": [t for t in t2 if t in t1],
            "dropped": [t for t in t1 if t not in t2]}


def _ladder_of(day: Day) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for a, _ in day.articles:
        for b in a.boards:
            cur = out.get(b.company)
            if cur is None or b.boards > cur["boards"]:
                out[b.company] = {"company": b.company, "code": b.code, "boards": b.boards, "status": b.status,
                                  "text": b.text}
    return out


def _ladder(d1: Day, d2: Day) -> dict:
    l1, l2 = _ladder_of(d1), _ladder_of(d2)
    res: dict[str, list] = {"continued": [], "broken": [], "new": [], "other": []}
    for name, b in l2.items():
        if b["status"] in ("broken", "ended"):
            res["broken"].append({**b, "from": l1.get(name, {}).get("boards")})
        elif name in l1:
            kind = "continued" if b["boards"] == l1[name]["boards"] + 1 else "other"
            res[kind].append({"company": name, "code": b["code"], "from": l1[name]["boards"], "to": b["boards"]})
        else:
            res["new"].append({"company": name, "code": b["code"], "boards": b["boards"]})
    for name, b in l1.items():
        if name not in l2:
            res["broken"].append({"company": name, "code": b["code"], "from": b["boards"], "status": None})
    for v in res.values():
        v.sort(key=lambda x: -(x.get("to") or x.get("boards") or x.get("from") or 0))
    return res


# ---------------------------------------------------------------- claims
def _comparable(key: str) -> bool:
    subject, metric, _ = (key.split("|") + ["", "", ""])[:3]
    return bool(subject or metric)


DAY_PERIOD = "(day)"


def day_key(key: str, trading_date: Optional[str]) -> str:
    """The claim key with a period naming the article's own trading day made day-independent, so
    "上证指数|收盘点位|2026-03-10" and "上证指数|收盘点位|2026-03-11" compare as one key."""
    parts = key.split("|")
    if len(parts) == 3 and trading_date and parts[2] in (trading_date, "今日", "今天", "当日"):
        parts[2] = DAY_PERIOD
    return "|".join(parts)


def _claims(day: Day) -> dict[str, list[tuple[tuple, dict]]]:
    out: dict[str, list[tuple[tuple, dict]]] = {}
    for a, original in day.articles:
        for c in a.claims:
            key = day_key(c.key, a.trading_date)
            if not _comparable(key):
                continue
            v = (_val(c.value), _val(c.low), _val(c.high), c.unit)
            side = _side(a, original, c.value, c.text, c.start, c.end, low=c.low, high=c.high, unit=c.unit,
                         modality=c.modality)
            out.setdefault(key, []).append((v, side))
    return out


def _changed(c1, c2) -> list[dict]:
    rows = []
    for key in c1:
        if key in c2:
            v1, v2 = _consensus(c1[key]), _consensus(c2[key])
            if v1 != v2:
                rows.append({"key": key, "day1": next(s for v, s in c1[key] if v == v1),
                             "day2": next(s for v, s in c2[key] if v == v2)})
    return rows


def _conflicts(label: str, groups: dict[str, list[tuple]]) -> list[dict]:
    rows = []
    for key, items in groups.items():
        by_article: dict[str, list[tuple]] = {}
        for v, side in items:
            by_article.setdefault(side["article_id"], []).append((v, side))
        ids = list(by_article)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                va = {v for v, _ in by_article[a]}
                vb = {v for v, _ in by_article[b]}
                if va.isdisjoint(vb):
                    rows.append({"day": label, "key": key, "a": by_article[a][0][1], "b": by_article[b][0][1]})
    return rows


def compare(store: Optional["Store"], day1: str, day2: str) -> Comparison:
    d1, d2 = load_day(store, day1), load_day(store, day2)
    c1, c2 = _claims(d1), _claims(d2)
    conflicts = []
    for day, claims in ((d1, c1), (d2, c2)):
        market = {f"market.{k}": v for k, v in _market_values(day).items()}
        conflicts += _conflicts(day.label, market) + _conflicts(day.label, claims)
    return Comparison(
        day1=d1.label, day2=d2.label,
        sources1=[a.source or a.article_id for a, _ in d1.articles],
        sources2=[a.source or a.article_id for a, _ in d2.articles],
        market=_market(d1, d2), themes=_themes(d1, d2), ladder=_ladder(d1, d2),
        changed=_changed(c1, c2), conflicts=conflicts)


# ---------------------------------------------------------------- output
def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def _evidence(side: dict) -> str:
    return f"{_fmt(side['value'])}  {side.get('context') or side.get('text') or ''}  ({side.get('source') or side['article_id']})"


def render(c: Comparison) -> str:
    out = [f"{c.day1} ({len(c.sources1)} articles)  vs  {c.day2} ({len(c.sources2)} articles)", "", "market:"]
    if c.market:
        from .timeline import _width

        w = max(_width(r["stat"]) for r in c.market)
        for r in c.market:
            pct = f" ({r['change_pct']:+.2f}%)" if r["change_pct"] is not None else ""
            delta = f"{'+' if (r['delta'] or 0) > 0 else ''}{_fmt(r['delta'])}" if r["delta"] is not None else "-"
            pad = " " * (w - _width(r["stat"]))
            out.append(f"  {r['stat']}{pad}  {_fmt(r['day1']):>14}  {_fmt(r['day2']):>14}  {delta:>14}{pct}")
    else:
        out.append("  (no market statistics extracted)")
    out.append("themes:")
    for k in ("new", "continuing", "dropped"):
        out.append(f"  {k}: {', '.join(c.themes.get(k, [])) or '-'}")
    out.append("board ladder:")
    lad = c.ladder
    out.append("  continued: " + (", ".join(f"{x['company']} {x['from']}→{x['to']}" for x in lad["continued"]) or "-"))
    out.append("  broken: " + (", ".join(f"{x['company']} ({_fmt(x.get('from'))})" for x in lad["broken"]) or "-"))
    out.append("  new: " + (", ".join(f"{x['company']} {x['boards']}" for x in lad["new"]) or "-"))
    if lad["other"]:
        out.append("  other: " + ", ".join(f"{x['company']} {x['from']}→{x['to']}" for x in lad["other"]))
    out.append(f"changed claims ({len(c.changed)}):")
    for r in c.changed:
        out += [f"  {r['key']}", f"    {c.day1}: {_evidence(r['day1'])}", f"    {c.day2}: {_evidence(r['day2'])}"]
    out.append(f"same-day conflicts ({len(c.conflicts)}):")
    for r in c.conflicts:
        out += [f"  {r['day']}  {r['key']}", f"    a: {_evidence(r['a'])}", f"    b: {_evidence(r['b'])}"]
    return "\n".join(out)


def compare_command(
    day1: str = typer.Argument(..., help="A trading date YYYY-MM-DD in the store, or an article file (text or JSON)."),
    day2: str = typer.Argument(..., help="The day (or file) to compare it with."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    db: Optional[str] = typer.Option(None, "--db", help="Store: a SQLite file, or postgresql://… (default: $RECAP_DB, else recap.db)."),
) -> None:
    """Compare two days (or two article files): market deltas, themes, board ladder, changed and conflicting claims."""
    from .commands import _error, _open, _print_json
    from .db import default_url

    needs_store = not (Path(day1).is_file() and Path(day2).is_file())
    store = None
    if needs_store:
        url = db or default_url()
        if "://" not in url and not Path(url).exists():
            _error(f"{url}: no such store (run `recap ingest` first)")
            raise typer.Exit(1)
        store = _open(db, read_only=True)
    try:
        result = compare(store, day1, day2)
    except StoreError as e:
        _error(str(e))
        raise typer.Exit(1) from None
    finally:
        if store:
            store.close()
    if as_json:
        _print_json(result.to_dict())
    else:
        typer.echo(render(result))
