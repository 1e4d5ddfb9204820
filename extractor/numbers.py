"""The numbers layer: every number in a text, parsed once.

`parse(text)` finds Arabic, Chinese and mixed numerals with scale words (1.44万亿, 一千二百万, 3万4000),
signs, fractions (三分之二), percentages (32.78%, 百分之五, 个百分点, 七成), money (800亿元, $20) and
currencies named without an amount (人民币, 美元: value None, `is_amount` False),
approximation and comparison words (约, 超过, 以上, 300多亿) and ranges (1500-1600亿, 两三百亿,
10000与20000之间, 大于10小于20). Figures, market statistics and boards build on its `Number`s and never
re-parse digits. Offsets are into the string given (end exclusive); full-width digits and Traditional
numeral characters are folded internally without moving offsets. Values are computed with Decimal.

How it works: one regex finds numeral cores; the words around each core (sign, currency, bound words
before; fraction, percent, 成/折, currency, approximation words after) are matched at the core's
edges; a last pass over the list joins neighbours into ranges.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Optional

from .rules import RuleModel, alternation as _alt, load_toml


class BoundRules(RuleModel):
    low_prefix: list[str]
    high_prefix: list[str]
    exact_prefix: list[str]
    low_suffix: list[str]
    high_suffix: list[str]
    than: str
    than_low: list[str]
    than_high: list[str]
    joiners: list[str]


class TenthRules(RuleModel):
    cheng: str
    zhe: str
    cheng_not_before: list[str]
    zhe_not_before: list[str]


class PercentRules(RuleModel):
    signs: list[str]
    points: list[str]
    per: dict[str, int]


class NumberRules(RuleModel):
    scales: dict[str, int]
    not_scale_after: dict[str, list[str]]
    chinese_digits: dict[str, int]
    chinese_units: dict[str, int]
    fold: dict[str, str]
    not_numbers: dict[str, list[str]]
    approx: dict[str, list[str]]
    bounds: BoundRules
    ranges: dict[str, list[str]]
    tenths: TenthRules
    percent: PercentRules
    currencies: dict[str, str]
    currency_not_before: dict[str, list[str]]
    currency_prefixes: dict[str, str]
    coins: dict[str, float]
    currency_names: dict[str, str]
    fractions: dict[str, list[str]]


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
    scale_text: Optional[str] = None  # the last scale word of the numeral (亿 in 1500-1600亿)
    chinese: bool = False  # written (partly) in Chinese numerals
    rule: str = "number.arabic"
    lead: int = 0  # characters of bound words (超过, 大于, 位于) at the start of `text`

    @property
    def is_range(self) -> bool:
        return self.value is None and (self.low is not None or self.high is not None)

    @property
    def is_amount(self) -> bool:
        """False for a currency named without an amount (人民币兑美元): a mention, no quantity."""
        return self.rule != "money.name"


def _spaced(words) -> str:
    """Alternation where the characters of each word may be separated by blanks (小于 或 等于)."""
    pieces = sorted(set(words), key=len, reverse=True)
    return "|".join("[ ]*".join(re.escape(ch) for ch in w) for w in pieces)


_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2212: 0x2D})


class _Grammar:
    def __init__(self, r: NumberRules):
        self.r = r
        self.fold = {**_FULLWIDTH, **{ord(k): v for k, v in r.fold.items()}}
        cd = "".join(r.chinese_digits)
        cu = "".join(r.chinese_units)
        self.digits = {k: Decimal(v) for k, v in r.chinese_digits.items()}
        self.units = {k: Decimal(v) for k, v in r.chinese_units.items()}
        self.scales = {k: Decimal(v) for k, v in r.scales.items()}
        cn_scales = [s for s in r.scales if not s.isascii()]
        latin = "".join(s for s in r.scales if s.isascii())

        def scale_word(s: str) -> str:
            nb = r.not_scale_after.get(s)
            return re.escape(s) + (f"(?!{_alt(nb)})" if nb else "")

        big = "|".join(scale_word(s) for s in sorted(cn_scales, key=len, reverse=True))
        inner = _alt(r.approx["inner"])
        arabic = (
            r"(?:\d{1,3}(?:,\d{3})++(?!\d)(?:\.\d++(?![.\d]))?|\d++(?:\.\d++(?![.\d]))?|(?<![\d.])\.\d++)"
            r"(?:[eE][+-]?\d{1,3}(?!\d)|\^[+-]*\d{1,3}(?!\d))?"
        )
        after_unit = f"(?<=[{cu}零〇{''.join(cn_scales)}])"
        piece = (
            rf"[ ]*(?:(?<![0-9])[{cd}]|[{cu}](?!分点)|{big}|(?:{inner})(?=[ ]*(?:[{cu}]|{big})))"
            rf"|{after_unit}{arabic}"
            rf"|(?<=[0-9])[ ]*[{latin}](?![A-Za-z])"
        )
        decimal = rf"(?<=[{cd}{cu}{''.join(cn_scales)}])[ ]*点[ ]*[{cd.replace('两', '')}]+"
        per_head = "万(?=[ ]*(?:万[ ]*)?分[ ]*之)"  # 万分之三, 万万分之七
        head = rf"(?:(?<![A-Za-z0-9]){arabic}|[{cd}{cu}]|{per_head}|半(?=[ ]*[百成折]))"
        core = rf"{head}(?:{piece})*(?:{decimal})?"
        self.core = re.compile(core)
        self.token = re.compile(
            rf"(?P<ar>{arabic})|(?P<dec>点[ ]*[{cd}]+)|(?P<big>{_alt(cn_scales)})|(?P<lat>[{latin}])"
            rf"|(?P<cd>[{cd}])|(?P<cu>[{cu}])|(?P<inner>{inner})|(?P<half>半)|[ ]"
        )
        t = r.tenths
        cur_words = []
        for w in sorted(r.currencies, key=len, reverse=True):
            nb = r.currency_not_before.get(w)
            cur_words.append(re.escape(w) + (f"(?!{_alt(nb)})" if nb else ""))
        coin = rf"(?:[ ]*又?[ ]*(?:\d+|[{cd}])[ ]*(?:{_alt(r.coins)}))"
        inner_ok = rf"(?P<inner>{inner})(?!{_alt(r.approx['inner_not_before'])})"
        self.suffix = re.compile(
            rf"(?P<frac>[ ]*分[ ]*之[ ]*(?P<fneg>负|-)?(?P<fnum>{core})?)"
            rf"|(?P<mixed>[ ]*又[ ]*(?P<mden>{core})[ ]*分[ ]*之[ ]*(?P<mneg>负|-)?(?P<mnum>{core}))"
            rf"|(?P<mslash>[ ]+(?P<msnum>\d+)[ ]*/[ ]*(?P<msden>\d+)(?![\d/.]))"
            rf"|(?P<slash>[ ]*/[ ]*(?P<sden>\d+)(?![\d/.]))"
            rf"|(?:{inner_ok})?(?:"
            rf"[ ]*(?P<tenth>{re.escape(t.cheng)}(?!{_alt(t.cheng_not_before)})|{re.escape(t.zhe)}(?!{_alt(t.zhe_not_before)}))"
            rf"(?P<thalf>半)?(?:[ ]*(?P<tafter>[{cd.replace('两', '').replace('零', '').replace('〇', '')}])(?![{cd}{cu}]))?"
            rf"|[ ]*(?P<pct>{_spaced(r.percent.points)}|{_alt(r.percent.signs)})"
            rf"|[ ]*(?P<cur>{'|'.join(cur_words)})(?P<coins>{coin}*)"
            rf"|(?P<dozen>打)(?![板开压破击出造进响新通断工算款折卡])"
            rf")?[ ]*(?P<sfx>{_spaced(r.approx['suffix'])})?"
        )
        b = r.bounds
        self.prefix = re.compile(
            rf"(?:(?P<low>{_spaced(b.low_prefix)})|(?P<high>{_spaced(b.high_prefix)})"
            rf"|(?P<exact>{_spaced(b.exact_prefix)})|(?P<than>{re.escape(b.than)})"
            rf"|(?P<approx>{_alt(r.approx['prefix'])}))?[ ]*"
            rf"(?P<cur>{_alt(r.currency_prefixes)})?[ ]*(?P<sign>负|[-+±](?![-+]))?$"
        )
        # Matched right after a number; (?<![ ]) keeps a search over a run of blanks linear.
        self.than_after = re.compile(rf"(?<![ ])[ ]*+(?:(?P<low>{_alt(b.than_low)})|(?P<high>{_alt(b.than_high)}))")
        self.low_sfx = set(b.low_suffix)
        self.high_sfx = set(b.high_suffix)
        rg = r.ranges
        self.connector = re.compile(
            rf"(?P<unit>[^\W\d_]{{1,4}}?)?(?<![ ])[ ]*+(?:{_alt(rg['connectors'])})[ ]*+")
        self.between_join = re.compile(rf"(?<![ ])[ ]*+(?:{_alt(rg['between_join'])})[ ]*+(?:第)?")
        self.between_after = re.compile(rf"(?<![ ])[ ]*+(?:{_alt(rg['between_after'])})")
        self.between_before = re.compile(rf"(?:{_alt(rg['between_before'])})[ ]*(?:第)?[ ]*$")
        self.joiner = re.compile(rf"[ ]*(?:{_alt(b.joiners)})?[ ]*")
        # A gap between two numbers holds one of these where it can join them into a range.
        self.range_word_starts = frozenset(w[0] for w in [*rg["connectors"], *rg["between_join"]])
        self.level_connectors, self.level_units = frozenset(rg["level_connectors"]), frozenset(rg["level_units"])
        self.level_before = re.compile(rf"(?:{_alt(rg['level_before'])})[ ]*$")
        self.per = {k: Decimal(v) for k, v in r.percent.per.items()}
        # First/last characters of the words around a core: most numbers have none, skip the regex.
        before_words = [*b.low_prefix, *b.high_prefix, *b.exact_prefix, b.than, *r.approx["prefix"],
                        *r.currency_prefixes, "负", "-", "+", "±", " "]
        self.prefix_last = {w[-1] for w in before_words}
        after_words = [" ", "分", "又", "/", *r.approx["inner"], t.cheng, t.zhe, *r.percent.signs,
                       *r.percent.points, *r.currencies, "打", *r.approx["suffix"]]
        self.suffix_first = {w[0] for w in after_words}
        # A full-width comma right after an ASCII digit is a clause comma typed in a Chinese input
        # method (涨停20，跌停3), not a thousands separator; between full-width digits it is one (１，２３４).
        self.fold_re = re.compile("(?<![0-9])，|[" + re.escape("".join(chr(c) for c in self.fold if c != 0xFF0C)) + "]")
        self.fold_str = {chr(k): (v if isinstance(v, str) else chr(v)) for k, v in self.fold.items()}
        # Where a core can start: scanning for these first is much faster than searching the core.
        self.start = re.compile(rf"[0-9.{cd}{cu}万半]")
        self.not_numbers = re.compile(_alt(r.not_numbers["words"]))
        names = [w for w in r.currencies if len(w) >= 2 and w[0] not in r.currency_names["not_first"]]
        self.currency_name = re.compile(_alt(names))
        self.count_pair_before = re.compile(rf"(?:{_alt(r.fractions['count_pair_after'])})[ ]*$")


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    return _Grammar(load_toml("numbers.toml", NumberRules))


# ---------------------------------------------------------------- values of numeral cores
@dataclass
class _Core:
    value: Decimal
    low: Optional[Decimal] = None  # two-digit ranges: 两三百亿
    high: Optional[Decimal] = None
    approx: bool = False  # 几, 多, 余 inside
    scale: Optional[str] = None
    chinese: bool = False
    arabic: bool = False
    length: int = 0  # characters of the core that form the numeral


def _arabic_value(s: str) -> Decimal:
    s = s.replace(",", "")
    if "^" in s:
        base, _, exp = s.partition("^")
        sign = -1 if exp.count("-") % 2 else 1
        return Decimal(str(float(base) ** (sign * int(exp.strip("+-")))))
    return Decimal(s)


def _evaluate(s: str, g: _Grammar, skip: int = -1) -> Optional[_Core]:
    """The value of a numeral core (Arabic, Chinese or mixed). `skip` drops one token (for 两三百)."""
    total = section = Decimal(0)
    digit: Optional[Decimal] = None
    digit_kind = ""  # "ar" | "cd" | "cat" (concatenated Chinese digits)
    last_unit: Optional[Decimal] = None
    last_big: Optional[Decimal] = None
    after_zero = approx = chinese = arabic = False
    scale = None
    frac = Decimal(0)
    stop = len(s)
    for i, m in enumerate(g.token.finditer(s)):
        if i == skip:
            continue
        kind, tok = m.lastgroup, m.group()
        if kind is None:
            continue
        if kind == "ar":
            arabic = True
            digit, digit_kind = _arabic_value(tok), ("ar1" if len(tok) == 1 else "ar")
        elif kind == "cd":
            chinese = True
            d = g.digits[tok]
            if d == 0 and digit is None:
                after_zero = True
            elif digit is not None and digit_kind in ("cd", "cat"):
                digit, digit_kind = digit * 10 + d, "cat"  # 二〇二四, 三八折
                if digit >= 10000:
                    return None  # 一二三四五…: a list of digits, not a numeral
            else:
                digit, digit_kind = d, "cd"
        elif kind == "half":
            chinese = True
            digit, digit_kind = Decimal("0.5"), "cd"
        elif kind == "cu":
            chinese = True
            u = g.units[tok]
            if last_unit is not None and last_unit < 10000 and u >= last_unit:
                stop = m.start()  # 七十百, 五十千: the numeral ended before this unit
                break
            section += (digit if digit is not None else 1) * u
            digit, last_unit, after_zero = None, u, False
        elif kind in ("big", "lat"):
            chinese = chinese or kind == "big"
            b = g.scales[tok]
            part = section + (digit if digit is not None else (0 if total or section else 1))
            if last_big is None or b >= last_big:
                total = (total + part) * b
                last_big = b
            else:
                total += part * b
            section, digit, last_unit, after_zero, scale = Decimal(0), None, b, False, tok
        elif kind == "inner":
            approx = True
        elif kind == "dec":
            digits = "".join(str(g.r.chinese_digits[ch]) for ch in tok if ch in g.r.chinese_digits)
            frac = Decimal("0." + digits) if digits else Decimal(0)
    if digit is not None:
        if last_unit is not None and not after_zero and digit_kind in ("cd", "ar1"):
            digit = digit * last_unit / 10  # 一千三 = 1300, 九十二万四 = 924000
        elif digit_kind == "cat" and last_unit is not None:
            return None
    value = total + section + (digit or 0) + frac
    if not chinese and not arabic:
        return None
    return _Core(value=value, approx=approx, scale=scale, chinese=chinese, arabic=arabic,
                 length=len(s[:stop].rstrip()))


_PLAIN = re.compile(r"\d+(?:\.\d+)?")
_LONG_DIGITS = re.compile(r"\d{25}")


@lru_cache(maxsize=4096)
def _core_value(s: str, g: _Grammar) -> Optional[_Core]:
    """The value of a numeral core (cached: callers only read it)."""
    if _PLAIN.fullmatch(s):
        return _Core(value=Decimal(s), arabic=True, length=len(s))
    if len(s) == 1:
        v = g.digits.get(s) if s in g.digits else g.units.get(s)
        if v is not None:
            return _Core(value=v, chinese=True, length=1)
    c = _evaluate(s, g)
    if c is None:
        return None
    # 两三百亿, 三四十万: two neighbouring digits before a unit give a range.
    st = s.replace(" ", "")
    if len(st) >= 3 and st[0] in g.digits and st[1] in g.digits and (st[2] in g.units or st[2] in g.scales):
        a, b = g.digits[st[0]], g.digits[st[1]]
        if b == a + 1 and a > 0:
            lo, hi = _evaluate(s, g, skip=1), _evaluate(s, g, skip=0)
            if lo is not None and hi is not None:
                c.value, c.low, c.high = None, lo.value, hi.value
    return c


def chinese_value(s: str, r: Optional[NumberRules] = None) -> Optional[float]:
    """Value of a numeral: 两万亿, 一千二百万, 三点五, 1.44万亿; None if not a numeral."""
    g = grammar()
    s = s.translate(g.fold)
    if not g.core.fullmatch(s):
        return None
    c = _evaluate(s, g)
    return None if c is None else _num(c.value)


_INT64 = 2 ** 63


def _num(v: Optional[Decimal]):
    """Decimal -> int when whole, else float: 2160.32亿 is exactly 216032000000."""
    if v is None:
        return None
    if v == v.to_integral_value() and -_INT64 <= v < _INT64:
        return int(v)
    return float(v)  # fractions, and whole numbers beyond 64 bits (JSON writers stop there)


# ---------------------------------------------------------------- one number with its words
_AMOUNT_END = re.compile(r"[0-9零一二三四五六七八九十两][万亿千百兆]*(?:元|美元|港元|欧元|日元|英镑)?$")
_AMOUNT_END_CHARS = frozenset("万亿千百兆元")  # the last character of such an amount, tested first


def _sign_ok(t: str, pos: int) -> bool:
    """A '-' or '+' at pos is a sign, not a dash between two numbers (5000万元-1亿元) or inside a code."""
    if pos == 0:
        return True
    if re.match(r"[0-9A-Za-z.%)\]）\-+~]", t[pos - 1]):
        return False
    return not (t[pos - 1] in _AMOUNT_END_CHARS and _AMOUNT_END.search(t, max(0, pos - 8), pos))



def _build(m: re.Match, t: str, text: str, g: _Grammar, min_start: int = 0) -> Optional[tuple[Number, int]]:
    """The Number for a core match; also returns where scanning continues."""
    start, end = m.start(), m.end()
    src = m.group()
    if len(src) > 24 and _LONG_DIGITS.search(src):
        return None  # a run of 25+ digits is an identifier, not a quantity
    if (src.isascii() and src.isdigit() or _PLAIN.fullmatch(src)) and t[end:end + 1] not in g.suffix_first \
            and (start <= min_start or t[start - 1] not in g.prefix_last):
        # The common case: a plain Arabic number with no words around it.
        value = int(src) if src.isdigit() else float(src)
        return Number(text=text[start:end], start=start, end=end, value=value), end
    core = _core_value(src, g)
    if core is None:
        return None
    value, low, high = core.value, core.low, core.high
    approx, chinese = core.approx, core.chinese
    kind, currency, unit_text, rule = "number", None, None, ("number.chinese" if chinese else "number.arabic")
    if core.scale and not chinese:
        rule = "number.arabic_scale"
    if core.arabic and chinese:
        rule = "number.mixed"
    lo_bound = "low" if approx else None  # which bound the words state: "low", "high", "exact"
    if core.length < len(m.group()):
        end = start + core.length

    s = g.suffix.match(t, end) if t[end:end + 1] in g.suffix_first else None
    if s is not None and s.group("slash") is not None and g.count_pair_before.search(t, max(0, start - 4), start):
        s = None  # 晋级率33%(2/6): two counts, not a fraction
    neg_num = False
    if s and s.end() > end:
        if s.group("frac") is not None and (s.group("fnum") or not s.group("fneg")):
            den_text = m.group().replace(" ", "")
            num_src = s.group("fnum")
            if num_src is None:
                s = None  # 二分之 without a numerator: just the number
            else:
                num = _evaluate(num_src, g)
                if num is None or value is None or value == 0:
                    return None
                neg_num = bool(s.group("fneg"))
                if den_text in g.per and core.low is None:
                    kind, unit_text, rule = "percent", den_text + "分之", "percent.per"
                    value = num.value * 100 / g.per[den_text]
                else:
                    value, rule = num.value / value, "number.fraction"
                chinese = chinese or num.chinese
                end = s.start("fnum") + num.length
        elif s.group("mixed") is not None:
            den, num = _evaluate(s.group("mden"), g), _evaluate(s.group("mnum"), g)
            if den is None or num is None or den.value == 0 or value is None:
                return None
            value, rule, end = value + num.value / den.value, "number.fraction", s.end("mnum")
        elif s.group("mslash") is not None:
            d = Decimal(s.group("msden"))
            if d == 0 or value is None:
                return None
            value, rule, end = value + Decimal(s.group("msnum")) / d, "number.fraction", s.end()
        elif s.group("slash") is not None:
            d = Decimal(s.group("sden"))
            if d == 0 or value is None:
                return None
            value, rule, end = value / d, "number.fraction", s.end()
        else:
            if s.group("inner"):
                approx, lo_bound = True, ("low" if s.group("inner") != "来" else lo_bound)
                end = s.end("inner")
            if s.group("tenth"):
                tv = value if value is not None else core.high
                is_cheng = s.group("tenth") == g.r.tenths.cheng
                if tv is None or tv <= 0 or (is_cheng and tv > 10) or (not is_cheng and tv >= 100) \
                        or (not is_cheng and tv == 10):
                    s = None
                else:
                    mult = 10 if tv <= 10 else 1
                    if m.group() == "半" and not is_cheng:
                        mult = 100  # 半折 = 50%
                    if value is not None:
                        value = value * mult
                    else:
                        low, high = low * mult, high * mult
                    if s.group("thalf") and value is not None:
                        value += 5
                    if s.group("tafter") and value is not None:
                        value += g.digits[s.group("tafter")]
                    kind, unit_text = "percent", s.group("tenth")
                    rule = "percent.cheng" if is_cheng else "percent.zhe"
                    end = max(end, s.end("thalf") if s.group("thalf") else 0,
                              s.end("tafter") if s.group("tafter") else 0, s.end("tenth"))
            elif s.group("pct"):
                kind, unit_text, end = "percent", s.group("pct"), s.end("pct")
                rule = "percent.symbol" if s.group("pct") in g.r.percent.signs else "percent.points"
            elif s.group("cur"):
                word = s.group("cur")
                kind, unit_text, currency = "money", word, g.r.currencies[word]
                rule = "money.scale_currency" if core.scale else "money.currency"
                end = s.end("cur")
                coins = s.group("coins")
                if coins and value is not None:
                    for cm in re.finditer(rf"(\d+|[^\d\s])[ ]*({_alt(g.r.coins)})", coins):
                        d = Decimal(cm.group(1)) if cm.group(1).isdigit() else g.digits.get(cm.group(1))
                        if d is None:
                            break
                        value += d * Decimal(str(g.r.coins[cm.group(2)]))
                    end = s.end("coins")
            elif s.group("dozen") and chinese and not core.arabic and value is not None:
                value, end = value * 12, s.end("dozen")
            if s is not None and s.group("sfx"):
                word = s.group("sfx").replace(" ", "")
                approx = True
                lo_bound = "low" if word in g.low_sfx else "high" if word in g.high_sfx else lo_bound
                end = s.end("sfx")

    # Words before: bound words, currency symbol, sign.
    lead_start, lead = start, 0
    p = g.prefix.search(t, max(min_start, start - 14), start) \
        if start > min_start and t[start - 1] in g.prefix_last else None
    if p and p.start() < start:
        ok = True
        sign = p.group("sign")
        if sign:
            if sign == "负" or _sign_ok(t, p.start("sign")):
                if sign in ("负", "-"):
                    value = -value if value is not None else None
                    low, high = (-high if high is not None else None), (-low if low is not None else None)
                elif sign == "±":
                    approx = True
                lead_start = p.start("sign")
            else:
                ok = False
        if ok and p.group("cur") and kind in ("number", "money"):
            generic = currency is None or unit_text == "元"  # 新台币10兆元: the prefix names it
            kind = "money"
            currency = g.r.currency_prefixes[p.group("cur")] if generic else currency
            unit_text = unit_text or p.group("cur")
            rule, lead_start = "money.symbol", p.start("cur")
        if ok:
            bound = next((k for k in ("low", "high", "exact") if p.group(k)), None)
            if bound:
                lo_bound, approx = bound, approx or bound != "exact"
                lead, lead_start = lead_start - p.start(), p.start()
            elif p.group("approx"):
                approx = True
            elif p.group("than"):
                ta = g.than_after.match(t, end)
                if ta:
                    lo_bound = "low" if ta.group("low") else "high"
                    lead, lead_start, end = lead_start - p.start(), p.start(), ta.end()
    if neg_num:
        value = -value if value is not None else None
    if value is not None and lo_bound:
        if lo_bound in ("low", "exact"):
            low = value
        if lo_bound in ("high", "exact"):
            high = value
    n = Number(
        text=text[lead_start:end], start=lead_start, end=end, value=_num(value), low=_num(low),
        high=_num(high), approx=approx, kind=kind, currency=currency, unit_text=unit_text,
        scale_text=core.scale, chinese=chinese, rule=rule, lead=lead,
    )
    return n, end


def _masked(n: Number, t: str, g: _Grammar) -> bool:
    """A Chinese numeral lying wholly inside a word like 一切, 四川, 队伍."""
    if not n.chinese or n.value is None:
        return False
    lo = max(0, n.start - 4)
    for w in g.not_numbers.finditer(t, lo, n.end + 4):
        if w.start() <= n.start and n.end <= w.end():
            return True
    return False


# ---------------------------------------------------------------- ranges
def _span(a: Number, b: Number, text: str, start: int, end: int, **kw) -> Number:
    base = dict(approx=a.approx or b.approx, kind=b.kind if b.kind != "number" else a.kind,
                currency=b.currency or a.currency, unit_text=b.unit_text or a.unit_text,
                scale_text=b.scale_text, chinese=a.chinese or b.chinese, lead=a.lead)
    base.update(kw)
    return Number(text=text[start:end], start=start, end=end, value=None, **base)


def _merge_ranges(nums: list[Number], t: str, text: str, g: _Grammar) -> list[Number]:
    out: list[Number] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        b = nums[i + 1] if i + 1 < len(nums) else None
        merged = _range(a, b, t, text, g) if b is not None else None
        if merged is not None:
            out.append(merged)
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def _range(a: Number, b: Number, t: str, text: str, g: _Grammar) -> Optional[Number]:
    if b.start - a.end > 12:
        return None
    gap = t[a.end:b.start]
    # Two bounds: 大于10小于20, 1000以上，1500以下, 最多100最少20.
    if a.value is not None and b.value is not None \
            and ((a.low is not None) != (a.high is not None)) and ((b.low is not None) != (b.high is not None)) \
            and (a.low is not None) != (b.low is not None) and g.joiner.fullmatch(gap):
        lo = a.low if a.low is not None else b.low
        hi = a.high if a.high is not None else b.high
        if lo < hi:
            return _span(a, b, text, a.start, b.end, low=lo, high=hi, rule="range.bounds")
        return None
    if a.value is None or b.value is None or b.lead or (a.low is not None or a.high is not None) \
            and a.lead:
        return None
    if g.range_word_starts.isdisjoint(gap):
        return None
    # Between: 10000与20000之间, 位于20和30之间.
    if g.between_join.fullmatch(gap):
        after = g.between_after.match(t, b.end)
        if after and a.kind == b.kind:
            lo, hi = sorted((a.value, b.value))
            before = g.between_before.search(t, max(0, a.start - 6), a.start)
            start = before.start() if before else a.start
            return _span(a, b, text, start, after.end(), low=lo, high=hi, rule="range.between",
                         lead=a.start - start)
    c = g.connector.fullmatch(gap)
    if not c:
        return None
    unit = c.group("unit")
    if gap[c.end("unit") if unit else 0:].strip() in g.level_connectors and (
            a.value > b.value
            or (unit in g.level_units and g.level_before.search(t, max(0, a.start - 4), a.start))):
        return None  # 减少20家至5家, 增加15家至80家: a change and the new level
    if unit and not t.startswith(unit, b.end):
        return None
    if re.match(r"[-/.]\d", t[b.end:b.end + 2]) or (a.start >= 2 and re.match(r"\d[-/.]", t[a.start - 2:a.start])):
        return None
    if not (a.kind == b.kind or a.kind == "number") or (a.unit_text and b.unit_text and a.unit_text != b.unit_text):
        return None
    lo, hi = Decimal(str(a.value)), Decimal(str(b.value))
    if b.scale_text and not a.scale_text and not unit:
        lo *= g.scales[b.scale_text]
    if lo > hi:
        lo, hi = hi, lo
    return _span(a, b, text, a.start, b.end, low=_num(lo), high=_num(hi), rule="range." + b.kind)


# ---------------------------------------------------------------- entry point
_INTEGER = re.compile(r"\d+")


def parse(text: str) -> list[Number]:
    """Every number in `text`, in order, with offsets into `text` (end exclusive)."""
    g = grammar()
    t = g.fold_re.sub(lambda c: g.fold_str[c.group()], text)
    nums: list[Number] = []
    pos = 0
    core = g.core
    while True:
        c = g.start.search(t, pos)
        if c is None:
            break
        m = core.match(t, c.start())
        if m is None:
            pos = c.start() + 1
            continue
        if "." in m.group() and m.start() >= 2 and t[m.start() - 1] == "." and t[m.start() - 2].isdigit():
            m = _INTEGER.match(t, m.start())  # 2222.2222.222: a dotted chain is a list of integers
        try:
            built = _build(m, t, text, g, nums[-1].end if nums else 0)
        except (ArithmeticError, ValueError):  # 9^999: no usable value
            built = None
        if built is None:
            pos = m.end()
            continue
        n, end = built
        if not (n.chinese and _masked(n, t, g)):
            nums.append(n)
        pos = max(end, m.end())
    nums = _merge_ranges(nums, t, text, g)
    return _with_currency_names(nums, t, text, g) if g.currency_name.search(t) else nums


def _with_currency_names(nums: list[Number], t: str, text: str, g: _Grammar) -> list[Number]:
    """Adds currencies named without an amount (人民币 美元), value None, outside every number."""
    names = []
    i = 0
    for m in g.currency_name.finditer(t):
        while i < len(nums) and nums[i].end <= m.start():
            i += 1
        if i < len(nums) and nums[i].start < m.end():
            continue
        names.append(Number(text=text[m.start():m.end()], start=m.start(), end=m.end(), value=None,
                            kind="money", currency=g.r.currencies[m.group()], unit_text=m.group(),
                            rule="money.name"))
    return sorted(nums + names, key=lambda n: (n.start, n.end)) if names else nums


def _component():
    # The pipeline step lives here too; imported lazily so `parse` stays free of spaCy.
    from .component import Component, register

    @register
    class Numbers(Component):
        name = "numbers"

        def load(self) -> None:
            grammar()

        def process(self, doc, state) -> None:
            state.numbers = [n for n in parse(state.text) if n.is_amount]

    return Numbers
