"""Periods of claims: a period as written (2024年 -> 2024), as a date where it can be one (今日 -> the
trading date), and the choice of a figure's period among those written before it."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Optional

_YEAR = re.compile(r"(?:19|20)\d{2}年")
_MONTH_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_WHOLE_OF = {"全年": re.compile(r"(?:19|20)\d{2}|今年|去年|明年|前年"), "全周": re.compile(r"[本上下]周")}
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def clean_period(p: str) -> str:
    p = p.strip()
    if _YEAR.fullmatch(p):
        return p[:-1]
    return p


@lru_cache(maxsize=2048)
def resolve_period(period: Optional[str], trading_date: Optional[str]) -> Optional[str]:
    """A period as a date where it can be one: 今日 -> the trading date, 2024年 -> 2024."""
    if not period:
        return period
    p = clean_period(period)
    if not trading_date:
        return p
    try:
        td = date.fromisoformat(trading_date)
    except ValueError:
        return p
    if p in ("今日", "今天", "当日", "当天"):
        return td.isoformat()
    if p in ("昨日", "昨天", "前一交易日", "上一交易日"):
        d = td - timedelta(days=1)
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        return d.isoformat()
    if p in ("明日", "明天", "次日", "下一交易日"):
        d = td + timedelta(days=1)
        while d.weekday() >= 5:
            d += timedelta(days=1)
        return d.isoformat()
    m = _MONTH_DAY.fullmatch(p)
    if m:
        try:
            return date(int(m.group(1) or td.year), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return p
    m = _ISO_DAY.fullmatch(p)
    if m:
        try:
            return date(*map(int, m.groups())).isoformat()
        except ValueError:
            return p
    return p


def note_period(last: dict[str, str], period: str, kind: str) -> None:
    """Keep the last period of each kind that choosing a figure's period tells apart (a time of day:
    intraday and anaphoric together; an anaphoric one is also kept on its own). A whole-of word
    (全年, 全周) after the year or week it spans (2024年，全年…; 本周…全周…) keeps the one named."""
    key = "time" if kind in ("intraday", "anaphoric") else kind
    if kind == "anaphoric":
        last["anaphoric"] = period
    named = last.get(key)
    if named and period in _WHOLE_OF and _WHOLE_OF[period].fullmatch(named):
        return
    last[key] = period


def choose_period(last: dict[str, str], day: Optional[str]) -> Optional[str]:
    """The figure's period from those written before it in its sentence and the day in force:
    a span (截至11月底) or a day named in the sentence wins, then 当日 written in the sentence (the day
    in force, as written), then the day in force, then a time of day. A clock time in force (a live
    post's 10:05) says when the post was written, so a time of day written in the sentence (盘中,
    午后) comes before it."""
    for kind in ("span", "day"):
        if kind in last:
            return last[kind]
    if "anaphoric" in last:
        return last["anaphoric"]
    if day and "time" in last and _CLOCK.fullmatch(day):
        return last["time"]
    return day if day else last.get("time")
