"""Numbers and names as the pages show them."""
from __future__ import annotations

from typing import Optional

# Market statistics: the field name and how a recap writes it.
STAT_LABELS = {
    "limit_up": "涨停 limit-up",
    "limit_down": "跌停 limit-down",
    "broken_count": "炸板 broken",
    "seal_rate": "封板率 seal rate %",
    "broken_rate": "炸板率 broken rate %",
    "consecutive_limit_up": "连板 consecutive",
    "max_board_height": "最高连板 max height",
    "turnover": "成交额 turnover",
    "advancers": "上涨 advancers",
    "decliners": "下跌 decliners",
}

_BIG = ((1e12, 1e12, "万亿"), (1e8, 1e8, "亿"), (1e5, 1e4, "万"))  # (from, unit, word)


def human(v: Optional[float]) -> str:
    """1.44e12 -> 1.44万亿, 8e10 -> 800亿, 61.0 -> 61, 0.39 -> 0.39; None -> -."""
    if v is None:
        return "-"
    v = float(v)
    for start, size, word in _BIG:
        if abs(v) >= start:
            return f"{v / size:.4g}{word}"
    if v.is_integer():
        return str(int(v))
    return f"{v:.4g}"


def signed(v: Optional[float]) -> str:
    if v is None:
        return "-"
    return ("+" if v > 0 else "") + human(v)


def stat_label(name: str) -> str:
    if name in STAT_LABELS:
        return STAT_LABELS[name]
    base, _, attr = name.rpartition(".")
    if attr in ("close", "change_pct") and base:
        return f"{base} {'close' if attr == 'close' else 'change %'}"
    return name


def value(v, unit: Optional[str] = None) -> str:
    """A figure's value with its unit class: 800亿 CNY, 70%, 7板."""
    if v is None:
        return "-"
    text = human(v)
    suffix = {"percent": "%", "board": "板", "CNY": "元", "USD": " USD", "HKD": " HKD", "multiple": "倍",
              "bp": "bp"}.get(unit or "", "")
    return text + suffix


def span_value(low, high, v, unit) -> str:
    if v is None and (low is not None or high is not None):
        return f"{value(low, unit)} – {value(high, unit)}"
    return value(v, unit)


def claim_value(c: dict) -> str:
    return span_value(c.get("low"), c.get("high"), c.get("value"), c.get("unit"))


def evidence_html(side: dict):
    """A compare side's context ('…before【evidence】after…') as HTML with the evidence in <mark>."""
    from html import escape

    from markupsafe import Markup

    context = side.get("context") or side.get("text") or ""
    text = side.get("text") or ""
    cleaned = " ".join(text.split())
    for needle in (f"【{text}】", f"【{cleaned}】"):
        i = context.find(needle) if text else -1
        if i >= 0:
            return Markup(f"{escape(context[:i])}<mark>{escape(needle[1:-1])}</mark>"
                          f"{escape(context[i + len(needle):])}")
    return Markup(escape(context))
