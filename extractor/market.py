"""Market statistics: 涨停/跌停家数, 封板率, 炸板, 连板, 最高连板, 成交额, 涨跌家数, index closes.

Phrase families live in `rules/market.toml`: each names a key, the words before its number and
the words after it. Numbers come from the numbers layer (`state.numbers`); a family only checks
the text around one. A match is kept when it speaks of the whole market on the article's day:
not a sector (半导体板块10股涨停), a sub-market (中小板, 沪市 alone), a foreign market (台股), a named
list (…等20只涨停), a subset (非ST跌停), another day or period (昨日涨停, 全周涨停总数).

When a key is stated more than once the best candidate wins: for turnover the whole-market
qualifier (沪深/两市 over 三市 over none, and Shanghai plus Shenzhen given separately over any
total); for counts an exact number over an approximate one (上涨家数4856家 over 超4800只); then
the first in the text.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .fast_regex import any_of, guarded
from .models import Evidence, IndexQuote
from .rules import RuleModel, alternation as _alt, load_toml
from .state import RecapState, add_span, offsets

_SENT_END = "。!?;！？；\n"
_SENT_END_RE = re.compile(f"[{re.escape(_SENT_END)}]")


class Family(RuleModel):
    key: str
    rule: str
    before: Optional[str] = None
    after: Optional[str] = None
    kind: Optional[str] = None
    vague: Optional[str] = None


class TurnoverRules(RuleModel):
    whole: str
    three: str
    bare: str
    shanghai: str
    shenzhen: str
    reject: str
    bare_turnover_min: float
    max_turnover: float
    min_turnover: float


class ScopeRules(RuleModel):
    market: str
    sector: str
    sub_market: str
    subset: str
    other_day: str
    period_words: str


class VagueRules(RuleModel):
    counts: dict[str, int]
    prefix: str


class IndexWords(RuleModel):
    up: str
    down: str
    close: str


class MarketRules(RuleModel):
    pieces: dict[str, str]
    turnover: TurnoverRules
    scope: ScopeRules
    vague: VagueRules
    family: list[Family]
    indices: dict[str, str]
    index_words: IndexWords


def expand(pattern: str, pieces: dict[str, str], depth: int = 0) -> str:
    """Replace `{name}` by its piece (pieces may use pieces); regex quantifiers like {0,24} stay."""
    if depth > 8:
        raise ValueError(f"pieces nest too deep in {pattern!r}")

    def sub(m: re.Match) -> str:
        return expand(pieces[m.group(1)], pieces, depth + 1)

    return re.sub(r"\{([a-z_]+)\}", lambda m: sub(m) if m.group(1) in pieces else m.group(), pattern)


@dataclass
class CompiledFamily:
    key: str
    rule: str
    kind: Optional[str]
    before: Optional[re.Pattern]
    after: Optional[re.Pattern]
    vague: Optional[re.Pattern]


class Grammar:
    def __init__(self, r: MarketRules):
        self.r = r
        p = dict(r.pieces)
        x = lambda s: expand(s, p)  # noqa: E731
        self.families: list[CompiledFamily] = []
        vague_words = _alt(r.vague.counts)
        for f in r.family:
            vague = None
            if f.vague:
                vague = guarded(re.compile(rf"{x(r.vague.prefix)}(?P<w>{vague_words}){x(f.vague)}"))
            self.families.append(CompiledFamily(
                f.key, f.rule, f.kind,
                re.compile(x(f.before)) if f.before else None,
                re.compile(x(f.after)) if f.after else None,
                vague,
            ))
        self._for_kinds: dict[tuple[bool, bool, bool], list[CompiledFamily]] = {}
        # A family with a `before` needs it to match, one without needs its `after`: a number
        # that neither of these finds around it fills no family.
        plain = [f for f in self.families if f.vague is None]
        self.any_before = guarded(any_of(f.before for f in plain if f.before))
        self.any_after_only = guarded(any_of(f.after for f in plain if not f.before))
        t, s = r.turnover, r.scope
        self.q_whole, self.q_three, self.q_bare = (re.compile(x(v)) for v in (t.whole, t.three, t.bare))
        self.q_sh, self.q_sz, self.q_reject = (re.compile(x(v)) for v in (t.shanghai, t.shenzhen, t.reject))
        self.markers = [
            ("market", re.compile(x(s.market))), ("sector", re.compile(x(s.sector))),
            ("sub", re.compile(x(s.sub_market))),
        ]
        self.subset = re.compile(x(s.subset))
        self.other_day = re.compile(x(s.other_day))
        self.period = re.compile(x(s.period_words))
        self.foreign = re.compile(x(s.sub_market))
        self.strong_market = re.compile(r"两市|沪深|三市|全市场|A股|沪指|上证|深成指|创业板指")
        self.comparison = re.compile(r"(?<!\s)\s*(?:[<>≤≥]|大于|小于|高于|低于|不低于|不高于)")  # at a number's start
        self.comparison_before = re.compile(r"(?:[<>≤≥]=?|大于|小于|高于|低于|不低于|不高于)\s*$")
        self.separately = re.compile(r"分别(?:成交|为)?(?:额)?\s*(?:为)?\s*$")
        self.sep_join = re.compile(r"(?:和|与|、|,|及)\s*$")
        names = _alt(r.indices)
        self.index_name = re.compile(rf"(?:{names})(?!成份股|成分股|ETF)")
        w = r.index_words
        self.idx_up, self.idx_down, self.idx_close = (re.compile(rf"{x(v)}\s*$") for v in (w.up, w.down, w.close))


    def families_for(self, fits: tuple[bool, bool, bool]) -> list[CompiledFamily]:
        """The families (not the vague ones) a number can fill, given whether it fits a count, a
        percent and an amount of money."""
        if fits not in self._for_kinds:
            ok = dict(zip(("count", "percent", "money"), fits))
            self._for_kinds[fits] = [f for f in self.families if f.vague is None and ok.get(f.kind, True)]
        return self._for_kinds[fits]


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    return Grammar(load_toml("market.toml", MarketRules))


@dataclass
class Candidate:
    key: str
    value: float
    start: int  # evidence span, normalized offsets
    end: int
    rule: str
    rank: int = 1
    approx: bool = False

    def order(self):
        return (self.rank, self.approx, self.start)


@lru_cache(maxsize=4)
def _sentence_bounds(text: str) -> list[int]:
    return [m.end() for m in _SENT_END_RE.finditer(text)]


def sentence_start(text: str, pos: int, limit: int = 300) -> int:
    """Where the sentence holding `pos` starts (looking back at most `limit` characters)."""
    bounds = _sentence_bounds(text)
    k = bisect_right(bounds, pos) - 1
    return max(bounds[k] if k >= 0 else 0, pos - limit, 0)


def _kind_ok(n, kind: Optional[str]) -> bool:
    if n.value is None:
        return False
    if kind == "count":
        return n.kind == "number" and not n.scale_text and 0 <= n.value < 20000 and float(n.value).is_integer()
    if kind == "percent":
        return n.kind == "percent" and n.unit_text == "%" and 0 <= n.value <= 100
    if kind == "money":
        return n.kind in ("number", "money") and bool(n.scale_text) and n.currency in (None, "CNY")
    return True


# Pinyin after a character (科创(chuàng)板), as some sites print it: read past it.
_RUBY = re.compile(r"(?<=[\u4e00-\u9fff])\([a-z\u00e0-\u00fc\u0100-\u01dc]{1,7}\)")


def _hard_wraps(text: str) -> list[tuple[int, int]]:
    """Line breaks that only wrap a long line (a text hard-wrapped at a fixed width, a sentence
    running on over "\n\n"): the newline runs to read past."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if text[m.start():m.end()].strip()]
    if len(lines) < 6:
        return []
    widths: dict[int, int] = {}
    for s, e in lines:
        widths[e - s] = widths.get(e - s, 0) + 1
    width = max(widths, key=lambda w: (widths[w], w))
    near = sum(n for w, n in widths.items() if width - 4 <= w <= width + 4)
    if width < 20 or near < max(4, len(lines) // 3):
        return []
    out = []
    for (s, e), (s2, _) in zip(lines, lines[1:]):
        line = text[s:e].strip()
        if (e - s >= width - 6 and text[e - 1] not in "。!?;！？；:：」”\"')）*|"
                and not line.startswith("|") and not text[e:s2].strip()):
            out.append((e, s2))
    return out


class View:
    """The normalized text without ruby pinyin (科创(chuàng)板) and hard-wrap line breaks, with
    maps both ways."""

    def __init__(self, text: str):
        cuts = sorted([(m.start(), m.end()) for m in _RUBY.finditer(text)] + _hard_wraps(text))
        segments, pos = [], 0  # the kept runs [s, e)
        for a, b in cuts:
            if a < pos:
                continue
            segments.append((pos, a))
            pos = b
        segments.append((pos, len(text)))
        self.identity = len(segments) == 1  # nothing cut: every offset maps to itself
        if self.identity:
            self.text, self.kept, self.of = text, range(len(text)), range(len(text) + 1)
            return
        self.text = "".join(text[a:b] for a, b in segments)
        kept: list[int] = []
        of: list[int] = []  # of[i]: how many kept offsets lie before i
        for a, b in segments:
            of.extend([len(kept)] * (a + 1 - len(of)))
            of.extend(range(len(kept) + 1, len(kept) + b - a + 1))
            kept.extend(range(a, b))
        of.extend([len(kept)] * (len(text) + 1 - len(of)))
        self.kept = kept
        self.of = of

    def numbers(self, numbers: list) -> list:
        """The numbers layer's numbers with offsets into the view."""
        if self.identity:
            return list(numbers)
        of = self.of
        return [replace(n, start=of[n.start], end=of[n.end]) for n in numbers]

    def back(self, start: int, end: int) -> tuple[int, int]:
        if not self.kept:
            return start, end
        s = self.kept[start] if start < len(self.kept) else len(self.of) - 1
        e = self.kept[end - 1] + 1 if 0 < end <= len(self.kept) else s
        return s, e


def article_view(state: RecapState) -> View:
    """The article's View, made once and shared by the steps that read past ruby and hard wraps
    (market, boards); read-only."""
    view = state.derived.get("market.view")
    if view is None:
        view = state.derived["market.view"] = View(state.text)
    return view


class _Matcher:
    def __init__(self, state: RecapState, g: Grammar):
        self.view = article_view(state)
        self.text = self.view.text
        self.g = g
        self.state = state
        of = self.view.of
        self.numbers = self.view.numbers(state.numbers)
        # 放量1260亿至1.35万亿 reads as a range to the numbers layer: its upper end is a level
        for n in list(self.numbers):
            if n.value is not None or n.high is None:
                continue
            k = max(n.text.rfind("至"), n.text.rfind("到"))
            if k > 0:
                self.numbers.append(replace(n, text=n.text[k + 1:], start=n.end - len(n.text) + k + 1,
                                            value=n.high, low=None, high=None))
        self.numbers.sort(key=lambda n: (n.start, n.end))
        self.theme_spans = sorted((of[s], of[e]) for t in state.themes for s, e in map(offsets, t.mentions))
        self.theme_starts = [s for s, _ in self.theme_spans]

    # ---- scope guards
    def whole_market(self, head: int, num_start: int) -> Optional[int]:
        """None when the count at `head` is not the whole market's; else its rank (0: a market
        word is in scope, 1: no scope word at all)."""
        text, g = self.text, self.g
        s0 = sentence_start(text, head)
        prefix = text[s0:head]
        if g.subset.search(text, max(s0, head - 10), head) or g.other_day.search(text, max(s0, head - 6), head):
            return None
        if g.period.search(prefix):
            return None
        if "等" in text[max(s0, head - 3):head] or "等" in text[max(s0, num_start - 3):num_start]:
            return None
        if head == num_start and re.search(r"[(（]\s*$", prefix):  # 电子商务(24家涨停)
            return None
        last_kind, last_end = None, -1
        for kind, rx in g.markers:
            for m in rx.finditer(prefix):
                if m.end() > last_end or (m.end() == last_end and kind != "market"):
                    last_kind, last_end = kind, m.end()
        spans = self.theme_spans[bisect_left(self.theme_starts, s0):bisect_right(self.theme_starts, head)]
        theme_end = max((me for _, me in spans if me <= head), default=None)
        if theme_end is not None and theme_end - s0 > last_end:
            last_kind, last_end = "sector", theme_end - s0
        if last_kind in ("sector", "sub"):
            return None
        if last_kind == "market" and g.strong_market.search(prefix):
            return 0
        # No scope of its own: a sub-market or foreign market named just before scopes it
        # (科创板28只股票…。其中仅1只上涨; 台湾股市大涨…。个股来看，超百股涨停).
        back = text[max(0, s0 - 200):head]
        scopes = [(m.end(), "a") for m in g.strong_market.finditer(back)]
        scopes += [(m.end(), "f") for m in g.foreign.finditer(back)]
        if scopes and max(scopes)[1] == "f":
            return None
        return 0 if last_kind == "market" else 1

    def turnover_rank(self, head: int) -> Optional[tuple[int, str]]:
        """Rank of the qualifier of a turnover word at `head` (None: not the market's), and its
        exchange ('sh', 'sz', or '' for the whole market). The clause is read first (两市成交额),
        then the sentence (沪指…，成交额483亿元)."""
        text, g = self.text, self.g
        s0 = sentence_start(text, head)
        if g.other_day.search(text, max(s0, head - 6), head):
            return None
        c0 = head
        while c0 > s0 and text[c0 - 1] not in ",，、 \t\u3000":
            c0 -= 1
        kinds = ((0, "", g.q_whole), (1, "", g.q_three), (0, "sh", g.q_sh), (0, "sz", g.q_sz),
                 (9, "", g.q_reject))
        for lo, wider in ((c0, 0), (s0, 1)):
            found = [(m.end(), -len(m.group()), rank, ex)
                     for rank, ex, rx in kinds for m in rx.finditer(text, lo, head)]
            if found:
                _, _, rank, ex = max(found)
                if rank == 9:
                    return None
                # a market word elsewhere in the sentence counts less than one on the clause
                return (rank + (wider and not ex), ex)
            if not wider and g.q_bare.search(text, c0, head):
                return 2, ""
        return 3, ""

    # ---- families
    def candidates(self) -> list[Candidate]:
        text, g = self.text, self.g
        out: list[Candidate] = []
        parts: list[tuple[str, Candidate]] = []  # per-exchange turnovers, summed later
        nums = self.numbers
        for i, n in enumerate(nums):
            fits = (_kind_ok(n, "count"), _kind_ok(n, "percent"), _kind_ok(n, "money"))
            if not any(fits):
                continue
            s0 = sentence_start(text, n.start, 48)  # the longest `before` phrase fits in 48
            window = text[s0:n.start]
            tail = text[n.end:n.end + 40]
            if not g.any_after_only.match(tail) and not g.any_before.search(window):
                continue
            if g.comparison.match(n.text) or g.comparison_before.search(window):
                continue  # a threshold (炸板率>35%), not a value
            for f in g.families_for(fits):
                b = f.before.search(window) if f.before else None
                if f.before and not b:
                    continue
                a = f.after.match(tail) if f.after else None
                if f.after and not a:
                    continue
                head = s0 + b.start() if b else n.start
                end = n.end + (a.end() if a else 0)
                value = n.value
                if f.key == "turnover":
                    c = self._turnover(f, n, i, head, end)
                    if c is None:
                        continue
                    ex, c = c
                    if ex:
                        parts.append((ex, c))
                    else:
                        out.append(c)
                    continue
                rank = self.whole_market(head, n.start)
                if rank is None:
                    continue
                out.append(Candidate(f.key, value, head, end, f.rule, rank, n.approx))
        for f in g.families:
            if f.vague is None:
                continue
            for m in f.vague.finditer(text):
                rank = self.whole_market(m.start(), m.start())
                if rank is not None:
                    out.append(Candidate(f.key, g.r.vague.counts[m.group("w")], m.start(), m.end(),
                                         f.rule, rank, True))
        out += self._sum_exchanges(parts)
        return out

    def _turnover(self, f: CompiledFamily, n, i: int, head: int, end: int):
        g, t = self.g, self.g.r.turnover
        if not (t.min_turnover <= n.value <= t.max_turnover):
            return None
        q = self.turnover_rank(head)
        if q is None:
            return None
        rank, ex = q
        text = self.text
        s0 = sentence_start(text, head)
        # 沪深两市分别成交7005亿元和5455亿元: the two parts, summed
        if g.separately.search(text, s0, head) or g.separately.search(text, s0, n.start):
            nums = self.numbers
            if i + 1 < len(nums):
                m = nums[i + 1]
                if m.start - n.end <= 3 and _kind_ok(m, "money") and g.sep_join.search(text, n.end, m.start):
                    total = n.value + m.value
                    if total <= t.max_turnover:
                        return "", Candidate("turnover", total, head, m.end, "turnover.sum_separately", -1,
                                             n.approx or m.approx)
            return None
        if rank == 3 and n.value < t.bare_turnover_min:
            return None
        return ex, Candidate("turnover", n.value, head, end, f.rule, rank, n.approx)

    def _sum_exchanges(self, parts: list[tuple[str, Candidate]]) -> list[Candidate]:
        out = []
        for ex, c in parts:
            if ex != "sh":
                continue
            for ex2, d in parts:
                if ex2 == "sz" and abs(d.start - c.start) < 600:
                    a, b = (c, d) if c.start < d.start else (d, c)
                    out.append(Candidate("turnover", c.value + d.value, a.start, b.end,
                                         "turnover.sum_shanghai_shenzhen", -1, c.approx or d.approx))
                    break
        return out[:1]

    # ---- indices
    def indices(self) -> list[tuple[str, float | None, float | None, int, int, str]]:
        text, g = self.text, self.g
        names = list(g.index_name.finditer(text))
        by_pos = sorted(self.numbers, key=lambda n: n.start)
        starts = [n.start for n in by_pos]
        out = {}
        for k, m in enumerate(names):
            stop = names[k + 1].start() if k + 1 < len(names) else len(text)
            stop = min(stop, m.end() + 80)
            for j, ch in enumerate(text[m.end():stop]):
                if ch in _SENT_END:
                    stop = m.end() + j
                    break
            change = close = None
            last = m.end()
            for n in by_pos[bisect_left(starts, m.end()):bisect_left(starts, stop)]:
                if n.end > stop or n.value is None or not -1e6 < n.value < 1e6:
                    continue
                before = text[max(m.end(), n.start - 8):n.start]
                if change is None and n.kind == "percent" and n.unit_text == "%":
                    if g.idx_down.search(before):
                        change, last = -abs(n.value), max(last, n.end)
                    elif g.idx_up.search(before):
                        change, last = abs(n.value), max(last, n.end)
                elif close is None and n.kind == "number" and text.startswith("点", n.end) and g.idx_close.search(before):
                    close, last = n.value, max(last, n.end + 1)
            if change is None and close is None:
                continue
            name = g.r.indices[m.group()]
            prev = out.get(name)
            score = (close is not None) + (change is not None)
            if prev is None or score > prev[0]:
                out[name] = (score, (name, close, change, m.start(), last, "index." + ("close_change" if score == 2 else "partial")))
        return [v[1] for v in sorted(out.values(), key=lambda v: v[1][3])]


def extract_market(state: RecapState) -> None:
    g = grammar()
    matcher = _Matcher(state, g)
    best: dict[str, Candidate] = {}
    for c in matcher.candidates():
        if c.key not in best or c.order() < best[c.key].order():
            best[c.key] = c
    market = state.market
    for key, c in sorted(best.items(), key=lambda kv: kv[1].start):
        value = c.value
        if key in ("seal_rate", "broken_rate", "turnover"):
            value = float(value)
        else:
            value = int(round(value))
        setattr(market, key, value)
        s, e = matcher.view.back(c.start, c.end)
        market.evidence[key] = state.mention(Evidence, s, e, rule=c.rule)
    market.indices = [
        state.mention(IndexQuote, *matcher.view.back(s, e), name=name, close=close, change_pct=change, rule=rule)
        for name, close, change, s, e, rule in matcher.indices()
    ]


@register
class MarketStats(Component):
    name = "market"

    def load(self) -> None:
        grammar()

    def process(self, doc: Doc, state: RecapState) -> None:
        extract_market(state)
        for ev in state.market.evidence.values():
            add_span(doc, "market", *offsets(ev))
