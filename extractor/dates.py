"""Dates: the trading date an article covers, and relative day words resolved against it.

`trading_date` is chosen in this order, and is null when none applies (never guessed):

1. a full date (2024年12月19日, 2024-07-08) in the heading (the first non-empty lines);
2. a full date in a sentence about the market's day (基于2026年1月19日的市场数据, 2026年1月19日，
   全市场涨停…), skipping dates that bound or name another day (此前在…, 截至…, …以来, …起施行);
3. a month and day (3月14日收评) in the heading or such a sentence, or opening a paragraph that
   states its year (2026年伊始…。1月26日，…), completed with the year of the date hint when there
   is one (the year that puts it nearest the hint), else the paragraph's year;
4. the date hint: `--date` (the user's), else a date in the file name (2026-08-04.txt).

So a date the text states wins over both `--date` and the file name, as README says ("`--date`
gives the trading date to articles that do not state one"); the hint still supplies the year of
a date written without one.

`resolve_relative(word, trading_date)` turns 今日/昨日/明日/下周/17号 into a date (or ISO week,
month, year) relative to the trading date, counting trading days on the Shanghai/Shenzhen
calendar (the `cn-stock-holidays` package's bundled list; weekdays alone past its last year).
"""
from __future__ import annotations

import importlib.util
import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .fast_regex import guarded
from .numbers import chinese_value
from .rules import RuleModel, load_toml
from .state import RecapState

_ISO = re.compile(r"(?<!\d)(20\d{2})[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_FULL = guarded(re.compile(
    rf"(?<!\d)(?P<y>(?:19|20)\d{{2}}|[一二][〇零○一二三四五六七八九]{{3}})\s*(?:年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})(?:\s*[日号])?"
    r"|(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})(?!\d))"))
_MONTH_DAY = guarded(re.compile(rf"(?<![\d年./-])(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"))
_BARE_YEAR = guarded(re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月|\s*[一二三四五六七八九十]{1,3}\s*月|度|报|代)"))
_SENT_END = "。!?;！？；\n"


class HeadingRules(RuleModel):
    lines: int
    max_chars: int


class ContextRules(RuleModel):
    cue: str
    past_before: str
    record: str
    past_after: str
    after_hours: str


class RelativeRules(RuleModel):
    days: dict[str, int]
    weeks: dict[str, int]
    months: dict[str, int]
    years: dict[str, int]
    weekdays: dict[str, int]


class DateRules(RuleModel):
    heading: HeadingRules
    context: ContextRules
    relative: RelativeRules


@lru_cache(maxsize=1)
def rules() -> DateRules:
    return load_toml("dates.toml", DateRules)


@lru_cache(maxsize=1)
def _compiled():
    c = rules().context
    return re.compile(c.cue), re.compile(c.past_before), re.compile(c.past_after), re.compile(c.record)


@lru_cache(maxsize=1)
def _after_hours():
    return re.compile(rules().context.after_hours)


def valid(y: int, m: int, d: int) -> Optional[str]:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def date_from_name(source: Optional[str]) -> Optional[str]:
    """A date in a file name: 2026-08-04.txt, 20260804-recap.md."""
    if not source:
        return None
    m = _ISO.search(PurePath(source).name)
    return valid(*map(int, m.groups())) if m else None


# ---------------------------------------------------------------- trading calendar
@lru_cache(maxsize=1)
def _holidays() -> tuple[frozenset, int]:
    """Exchange holidays (weekdays the market is closed) and the last year the list covers."""
    # The package's own loader imports requests (its sync feature); read its bundled list directly.
    try:
        spec = importlib.util.find_spec("cn_stock_holidays")
        folder = Path(next(iter(spec.submodule_search_locations)))
        days = set()
        for line in (folder / "data.txt").read_text(encoding="utf-8").splitlines():
            line = line.split(",")[0].strip()
            if line and not line.startswith("#"):
                days.add(date(int(line[:4]), int(line[4:6]), int(line[6:8])))
        return frozenset(days), max(d.year for d in days)
    except Exception:  # package missing or unreadable: weekdays only
        return frozenset(), 0


def is_trading_day(d: date) -> bool:
    holidays, _ = _holidays()
    return d.weekday() < 5 and d not in holidays


def shift_trading_days(d: date, n: int) -> date:
    """The trading day `n` trading days after `d` (before it when n < 0). With n == 0, `d` itself
    when it is a trading day, else the trading day before it."""
    step = 1 if n > 0 else -1
    if n == 0:
        while not is_trading_day(d):
            d -= timedelta(days=1)
        return d
    for _ in range(abs(n)):
        d += timedelta(days=step)
        while not is_trading_day(d):
            d += timedelta(days=step)
    return d


# ---------------------------------------------------------------- relative words
def _int(s: str) -> Optional[int]:
    if s.isdigit():
        return int(s)
    v = chinese_value(s)
    return int(v) if v is not None else None


def _year(s: str) -> int:
    """2024, or 二〇二四 written digit by digit."""
    if s.isdigit():
        return int(s)
    return int("".join(str("〇一二三四五六七八九".find(ch)) if ch not in "零○" else "0" for ch in s))


def _nearest(m: int, d: int, ref: date) -> Optional[str]:
    """The date with month m and day d nearest to `ref` (its year, or the one before or after)."""
    best = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        iso = valid(y, m, d)
        if iso and (best is None or abs(date.fromisoformat(iso) - ref) < abs(date.fromisoformat(best) - ref)):
            best = iso
    return best


def resolve_relative(word: str, trading_date: Optional[str]) -> Optional[str]:
    """Resolve a relative date word against the article's trading date (YYYY-MM-DD).

    Returns, or None when the word is not one of these or there is no trading date:
    - a day, YYYY-MM-DD: 今日/今天/当日 (the trading date), 昨日/上一交易日 (previous trading
      day), 前日 (two back), 明日/次日/下一交易日 (next trading day), 后天; 17号/17日 (that day of
      the trading date's month); 3月17日 (the nearest such date); 周五/下周一/上周三 (that weekday
      of this, next or last week);
    - a week, YYYY-Www (ISO): 本周, 上周, 下周;
    - a month, YYYY-MM: 本月, 上月, 下月;
    - a year, YYYY: 今年, 去年, 明年.
    Signature and formats are stable: the claims step uses them for periods.
    """
    if not trading_date or not word:
        return None
    try:
        ref = date.fromisoformat(trading_date)
    except ValueError:
        return None
    w = word.strip()
    r = rules().relative
    if w in r.days:
        n = r.days[w]
        return (ref if n == 0 else shift_trading_days(ref, n)).isoformat()
    if w in r.weeks:
        y, wk, _ = (ref + timedelta(weeks=r.weeks[w])).isocalendar()
        return f"{y}-W{wk:02d}"
    if w in r.months:
        k = ref.year * 12 + ref.month - 1 + r.months[w]
        return f"{k // 12}-{k % 12 + 1:02d}"
    if w in r.years:
        return str(ref.year + r.years[w])
    m = re.fullmatch(r"(?P<wk>本|这|上|下)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])", w)
    if m:
        offset = r.weeks.get((m.group("wk") or "本") + "周", 0)
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=offset)
        return (monday + timedelta(days=r.weekdays[m.group("d")])).isoformat()
    m = re.fullmatch(rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]?", w)
    if m and (mm := _int(m.group("m"))) and (dd := _int(m.group("d"))):
        return _nearest(mm, dd, ref)
    m = re.fullmatch(rf"(?P<d>{_NUM})\s*[日号]", w)
    if m and (dd := _int(m.group("d"))):
        return valid(ref.year, ref.month, dd)
    return None


# ---------------------------------------------------------------- the article's date
def _sentence(text: str, pos: int, limit: int = 300) -> tuple[int, int]:
    s, floor = pos, max(0, pos - limit)
    while s > floor and text[s - 1] not in _SENT_END:
        s -= 1
    e, ceil = pos, min(len(text), pos + limit)
    while e < ceil and text[e] not in _SENT_END:
        e += 1
    return s, e


def _paragraph_start(text: str, pos: int) -> int:
    i = text.rfind("\n", 0, pos)
    return i + 1


def _heading_end(text: str) -> int:
    h = rules().heading
    pos, taken = 0, 0
    for line in re.finditer(r"[^\n]*\n?", text):
        if not line.group().strip():
            if line.end() >= len(text):
                break
            continue
        if len(line.group().strip()) > h.max_chars:
            return line.start() + h.max_chars if taken == 0 else pos
        pos, taken = line.end(), taken + 1
        if taken >= h.lines:
            break
    return pos


def _is_other_day(text: str, start: int, end: int) -> bool:
    _, before, after, _ = _compiled()
    return bool(before.search(text, max(0, start - 8), start) or after.match(text, end))


def find_trading_date(text: str, hint: Optional[str]) -> Optional[str]:
    """The trading date the text states (completed with `hint`'s year), else `hint`."""
    cue, _, _, record = _compiled()
    head_end = _heading_end(text)
    ref = date.fromisoformat(hint) if hint and valid(*map(int, hint.split("-"))) else None

    def about_the_day(start: int, end: int, iso: Optional[str] = None) -> bool:
        s, e = _sentence(text, start)
        if record.search(text, s, e):
            return False
        if start < head_end:
            return True
        # A body date must be a session of the exchange, and not an after-hours event.
        if (iso and not is_trading_day(date.fromisoformat(iso))) or _after_hours().match(text, end):
            return False
        return bool(cue.search(text, s, e))

    full = [m for m in _FULL.finditer(text) if not _is_other_day(text, m.start(), m.end())]
    for m in full:
        mm, dd = _int(m.group("m") or m.group("m2")), _int(m.group("d") or m.group("d2"))
        iso = valid(_year(m.group("y")), mm or 0, dd or 0)
        if iso and about_the_day(m.start(), m.end(), iso):
            return iso
    for m in _MONTH_DAY.finditer(text):
        if _is_other_day(text, m.start(), m.end()):
            continue
        mm, dd = _int(m.group("m")), _int(m.group("d"))
        if not mm or not dd or not 1 <= mm <= 12:
            continue
        p0 = max(_paragraph_start(text, m.start()), m.start() - 300)
        opens = not text[p0:m.start()].strip()
        years = [int(y.group(1)) for y in _BARE_YEAR.finditer(text, p0, m.start())]
        if ref is not None and about_the_day(m.start(), m.end(), _nearest(mm, dd, ref)):
            return _nearest(mm, dd, ref)
        if ref is None and years and (opens or m.start() < head_end) and valid(years[-1], mm, dd):
            return valid(years[-1], mm, dd)
        s, _ = _sentence(text, m.start())
        if ref is None and years and not text[s:m.start()].strip() and valid(years[-1], mm, dd):
            return valid(years[-1], mm, dd)
    return hint


@register
class Dates(Component):
    name = "dates"

    def load(self) -> None:
        rules()
        _compiled()

    def process(self, doc: Doc, state: RecapState) -> None:
        state.trading_date = find_trading_date(state.text, state.date_hint)
