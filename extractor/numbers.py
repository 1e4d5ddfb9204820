"""The numbers layer: every number in a text, parsed once.

`parse(text)` finds Arabic, Chinese and mixed numerals with scale words, signs, percentages, money,
approximation words and ranges. Figures, market statistics and boards build on its `Number`s and
never re-parse digits. Offsets are into the string given (normalized text inside the pipeline).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .rules import RuleModel, load_toml


class NumberRules(RuleModel):
    scales: dict[str, float]
    chinese_digits: dict[str, int]
    chinese_units: dict[str, int]
    chinese_big_units: dict[str, float]
    approx: dict[str, list[str]]
    ranges: dict[str, list[str]]
    currencies: dict[str, str]
    currency_symbols: dict[str, str]


@dataclass
class Number:
    text: str
    start: int
    end: int
    value: Optional[float]
    low: Optional[float] = None
    high: Optional[float] = None
    approx: bool = False
    kind: str = "number"  # number | percent | money
    currency: Optional[str] = None
    unit_text: Optional[str] = None  # the currency or percent sign as written
    scale_text: Optional[str] = None
    chinese: bool = False  # written (partly) in Chinese numerals
    rule: str = "number.arabic"

    @property
    def is_range(self) -> bool:
        return self.value is None and (self.low is not None or self.high is not None)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class _Grammar:
    def __init__(self, r: NumberRules):
        self.r = r
        cn_digits = "".join(r.chinese_digits)
        cn_all = cn_digits + "".join(r.chinese_units) + "".join(r.chinese_big_units)
        arabic = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
        latin_scales = [s for s in r.scales if s.isascii()]
        cn_scales = [s for s in r.scales if not s.isascii()]
        scale = rf"(?:{_alt(cn_scales)}|(?:{_alt(latin_scales)})(?![A-Za-z]))"
        mid = r"(?:多|余)"
        # 1.44万亿, 300多亿, 3万4000, 25万6千
        arabic_q = (
            rf"(?P<ar>{arabic})(?P<mid>{mid})?(?P<sc>{scale})?"
            rf"(?P<tail>(?<=[万亿千])(?:\d+(?:\.\d+)?(?:{scale})?|[{cn_digits}](?:{scale})))?"
        )
        chinese = rf"(?P<cn>[{cn_digits}十拾][{cn_all}]*(?:点[{cn_digits}]+)?)"
        pct_cn = rf"百分之(?P<pct>(?:{arabic})|[{cn_digits}十拾][{cn_all}]*(?:点[{cn_digits}]+)?)"
        currency = rf"(?P<cur>{_alt(r.currencies)})"
        symbol = rf"(?P<sym>{_alt(r.currency_symbols)})"
        self.number = re.compile(
            rf"(?P<neg>(?<![\w.])[-−]|负)?{symbol}?(?:{pct_cn}|{arabic_q}|{chinese})"
            rf"(?P<suffix>{_alt(r.approx['suffix'])})?"
            rf"(?:(?P<pctsign>%|个百分点|百分点)|{currency})?"
        )
        self.prefix = re.compile(rf"(?:{_alt(r.approx['prefix'])})\s?$")
        self.connector = re.compile(rf"\s?(?:{_alt(r.ranges['connectors'])})\s?")


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    return _Grammar(load_toml("numbers.toml", NumberRules))


def chinese_value(s: str, r: Optional[NumberRules] = None) -> Optional[float]:
    """Value of a Chinese numeral: 两万亿, 一千二百万, 三点五, 二〇二四; None if not a numeral."""
    r = r or grammar().r
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = chinese_value(whole, r) if whole else 0
        if w is None or not frac or any(ch not in r.chinese_digits for ch in frac):
            return None
        return w + float("0." + "".join(str(r.chinese_digits[ch]) for ch in frac))
    if s and all(ch in r.chinese_digits for ch in s) and len(s) > 1:
        return float("".join(str(r.chinese_digits[ch]) for ch in s))
    total = section = 0.0
    number = None
    for ch in s:
        if ch in r.chinese_digits:
            number = r.chinese_digits[ch]
        elif ch in r.chinese_units:
            section += (1 if number is None else number) * r.chinese_units[ch]
            number = None
        elif ch in r.chinese_big_units:
            big = r.chinese_big_units[ch]
            part = section + (number or 0)
            if big >= 1e8:
                total = (total + part) * big if total < big else total + part * big
            else:
                total += part * big
            section, number = 0.0, None
        else:
            return None
    return total + section + (number or 0)


def _arabic(s: str) -> float:
    return float(s.replace(",", ""))


def _tidy(v: Optional[float]) -> Optional[float]:
    if v is None:
        return None
    r = round(v, 6)
    return int(r) if r == int(r) and abs(r) < 1e18 else r


def _adjacent_range(s: str, r: NumberRules) -> Optional[tuple[float, float]]:
    """两三百亿 -> (200e8, 300e8): two neighbouring digits before a unit."""
    if len(s) >= 3 and s[0] in r.chinese_digits and s[1] in r.chinese_digits:
        a, b = r.chinese_digits[s[0]], r.chinese_digits[s[1]]
        if b == a + 1 or (s[0] == "两" and b == 3):
            rest = s[2:]
            lo, hi = chinese_value(str(a) and s[0] + rest, r), chinese_value(s[1] + rest, r)
            if lo is not None and hi is not None:
                return lo, hi
    return None


def _match_to_number(m: re.Match, g: _Grammar, text: str) -> Optional[Number]:
    r = g.r
    low = high = None
    chinese = False
    rule = "number.arabic"
    scale_text = None
    if m.group("pct") is not None:
        p = m.group("pct")
        value = _arabic(p) if p[0].isdigit() else chinese_value(p, r)
        if value is None:
            return None
        kind, unit_text, rule, chinese = "percent", "百分之", "percent.chinese", True
    elif m.group("ar") is not None:
        value = _arabic(m.group("ar"))
        if m.group("sc"):
            scale_text = m.group("sc")
            value *= r.scales[scale_text]
            rule = "number.arabic_scale"
        if m.group("tail"):
            t = m.group("tail")
            tm = re.match(r"(\d+(?:\.\d+)?|.)(.*)", t)
            head, sc = tm.group(1), tm.group(2)
            base = _arabic(head) if head[0].isdigit() else r.chinese_digits[head]
            if sc:
                base *= r.scales[sc]
            elif scale_text and value:
                base *= r.scales[scale_text] / 10 ** len(head) if not head[0].isdigit() else 1
            value += base
        kind, unit_text = "number", None
    else:
        s = m.group("cn")
        # Trim a trailing big unit that is really a scale word (三百亿 stays whole).
        rng = _adjacent_range(s, r)
        if rng:
            value, (low, high) = None, rng
        else:
            value = chinese_value(s, r)
            if value is None:
                return None
        kind, unit_text, rule, chinese = "number", None, "number.chinese", True
    approx = False
    if m.group("mid") if m.group("ar") is not None else False:
        approx = True
    suffix = m.group("suffix")
    if suffix:
        approx = True
    currency = None
    if m.group("pctsign"):
        kind, unit_text = "percent", m.group("pctsign")
        rule = "percent.symbol" if unit_text == "%" else "percent.points"
    elif m.group("cur"):
        kind, unit_text = "money", m.group("cur")
        currency = r.currencies[unit_text]
        rule = "money.scale_currency" if scale_text else "money.currency"
    if m.group("sym"):
        kind = "money"
        currency = currency or r.currency_symbols[m.group("sym")]
        unit_text = unit_text or m.group("sym")
        rule = "money.symbol"
    if m.group("neg"):
        value = -value if value is not None else None
        low, high = (-high if high is not None else None), (-low if low is not None else None)
    if g.prefix.search(text, max(0, m.start() - 4), m.start()):
        approx = True
    return Number(
        text=m.group(), start=m.start(), end=m.end(), value=_tidy(value), low=_tidy(low),
        high=_tidy(high), approx=approx, kind=kind, currency=currency, unit_text=unit_text,
        scale_text=scale_text, chinese=chinese, rule=rule,
    )


def _merge_ranges(nums: list[Number], text: str, g: _Grammar) -> list[Number]:
    """1500-1600亿, 650万至700万, 20~30%: two numbers joined by a range connector."""
    out: list[Number] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        b = nums[i + 1] if i + 1 < len(nums) else None
        if (
            b is not None and a.value is not None and b.value is not None
            and g.connector.fullmatch(text, a.end, b.start)
            and not re.match(r"[-/.]\d", text[b.end:b.end + 2])
            and not (a.start >= 2 and re.match(r"\d[-/]", text[a.start - 2:a.start]))
            and (a.kind == b.kind or a.kind == "number")
            and not (a.unit_text and b.unit_text and a.unit_text != b.unit_text)
        ):
            lo = a.value
            if b.scale_text and not a.scale_text:
                lo *= g.r.scales[b.scale_text]
            hi = b.value
            if lo <= hi:
                out.append(Number(
                    text=text[a.start:b.end], start=a.start, end=b.end, value=None,
                    low=_tidy(lo), high=_tidy(hi), approx=a.approx or b.approx, kind=b.kind,
                    currency=b.currency or a.currency, unit_text=b.unit_text,
                    scale_text=b.scale_text, chinese=a.chinese or b.chinese, rule="range." + b.kind,
                ))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def parse(text: str) -> list[Number]:
    """Every number in `text`, in order, with offsets into `text` (end exclusive)."""
    g = grammar()
    nums = []
    for m in g.number.finditer(text):
        n = _match_to_number(m, g, text)
        if n is not None:
            nums.append(n)
    return _merge_ranges(nums, text, g)


def _component():
    # The pipeline step lives here too; imported lazily so `parse` stays free of spaCy.
    from .component import Component, register

    @register
    class Numbers(Component):
        name = "numbers"

        def load(self) -> None:
            grammar()

        def process(self, doc, state) -> None:
            state.numbers = parse(state.text)

    return Numbers
