"""Figures: every quantity the writer states, with its unit class, built on the numbers layer.

`find_figures(text)` decides which of the numbers layer's `Number`s are figures (GUIDELINE.md): it
attaches the unit written after the number (rules/units.toml), gives money its currency and bare
亿/万 amounts CNY in market context, and drops what is no quantity: dates, times and durations,
ranks and labels, list markers, digits inside names and codes, small Chinese numerals that only
count named things (这两家, 三大指数).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .models import Figure
from .numbers import Number, parse
from .rules import RuleModel, alternation as _alt, load_toml
from .state import RecapState, add_spans


class ContextRules(RuleModel):
    count_cues: str
    list_before: str
    list_after: str
    count_before: str
    level_before: str
    capitals: str
    ratio: str
    occurrence_units: list[str]
    occurrence_not_before: str
    occurrence_not_after: str


class UnitRules(RuleModel):
    classes: dict[str, list[str]]
    not_units: dict[str, list[str]]
    prices: dict[str, list[str]]
    money_as_count: dict[str, list[str]]
    not_figures: dict[str, list[str]]
    contexts: ContextRules


_CURRENCY_UNITS = {"CNY", "USD", "HKD"}


@dataclass
class Found:
    """A figure in the (normalized) text: span, value and unit, and the number it came from."""
    start: int
    end: int
    value: Optional[float]
    low: Optional[float]
    high: Optional[float]
    unit: str
    unit_text: Optional[str]
    approx: bool
    rule: str
    number: Number


class FigureFinder:
    def __init__(self) -> None:
        r = load_toml("units.toml", UnitRules)
        self.unit_of = {s: cls for cls, surfaces in r.classes.items() for s in surfaces}
        self.unit_re = re.compile(rf"[ ]?(?!{_alt(r.not_units['after'])})(?P<u>{_alt(self.unit_of)})")
        self.price_re = re.compile(rf"(?:{_alt(r.prices['suffixes'])})")
        nf = r.not_figures
        self.after_re = re.compile(rf"[ ]?(?:{_alt(nf['after'])})")
        self.before_re = re.compile(rf"(?:{_alt(nf['before'])})[ ]?$")
        # Each pattern on its own: sre scans a pattern that starts with a character class quickly.
        self.masks = [re.compile(p) for p in nf["patterns"]]
        c = r.contexts
        self.count_cues, self.count_before = re.compile(c.count_cues), re.compile(c.count_before)
        self.list_before, self.list_after = re.compile(c.list_before), re.compile(c.list_after)
        self.level_before, self.capitals = re.compile(c.level_before), set(c.capitals)
        self.ratio = re.compile(c.ratio)
        self.occurrence_units = set(c.occurrence_units)
        self.occurrence_not_before = re.compile(c.occurrence_not_before)
        self.occurrence_not_after = re.compile(c.occurrence_not_after)
        self.money_as_count = set(r.money_as_count["words"])

    def find(self, text: str, numbers: Optional[list[Number]] = None,
             clause_start=None) -> list[Found]:
        """Figures among `numbers` (parsed from `text` when not given). `clause_start(pos)` gives the
        start of the sentence around pos, for the money-or-count decision."""
        nums = parse(text) if numbers is None else numbers
        if not nums:
            return []
        masks = sorted((m.start(), m.end()) for r in self.masks for m in r.finditer(text))
        ratio_parts = {m.span(g) for m in self.ratio.finditer(text) for g in ("a", "b")} \
            if ("/" in text or ":" in text) else set()
        out = []
        mi = 0
        for n in nums:
            if (n.start, n.end) in ratio_parts:  # 17:10, 33%(2/6): the counts behind a ratio or a rate
                out.append(Found(n.start, n.end, n.value, None, None, "count", None, False, "count.ratio_part", n))
                continue
            while mi < len(masks) and masks[mi][1] <= n.start + n.lead:
                mi += 1
            if mi < len(masks) and masks[mi][0] < n.end:
                continue  # overlaps a date, time, code or name
            f = self.figure(n, text, clause_start)
            if f is not None:
                out.append(f)
        return out

    def figure(self, n: Number, text: str, clause_start=None) -> Optional[Found]:
        start, end = n.start + n.lead, n.end
        core_start = start
        while core_start < end and text[core_start] in "-+±负$¥￥人民币RMBUSHK ":
            core_start += 1
        if self.before_re.search(text, max(0, start - 4), start):
            return None
        value, low, high = (n.value, None, None) if n.value is not None else (None, n.low, n.high)
        if value is None and low is None and high is None:
            return None
        unit: Optional[str] = None
        unit_text, rule = n.unit_text, n.rule
        chinese_only = n.chinese and not re.search(r"\d", n.text)
        if n.kind == "percent":
            if n.rule == "number.fraction":
                return None
            unit = "percent"
            if unit_text == "万分之":
                unit, rule = "bp", "bp.per_ten_thousand"
                value = _scale(value, 100)
                low, high = _scale(low, 100), _scale(high, 100)
        elif n.kind == "money" and n.unit_text in self.money_as_count:
            unit, rule = "count", "count.unit"
        elif n.kind == "money":
            if text.startswith("兑", end):
                return None  # 1美元兑6.83元: the base of an exchange rate
            unit = n.currency if n.currency in _CURRENCY_UNITS else "other"
            m = self.price_re.match(text, end)
            if m:
                end, unit_text, rule = m.end(), (unit_text or "") + m.group(), "money.price"
        else:
            if n.rule == "number.fraction":
                return None
            if self.after_re.match(text, end) and n.scale_text not in ("万", "亿", "万亿"):
                return None
            m = self.unit_re.match(text, end)
            if m:
                unit_text = m.group("u")
                unit = self.unit_of[unit_text]
                end, rule = m.end(), f"{unit}.unit"
                if chinese_only and (n.value is not None and n.value < 10) and unit not in ("multiple",) \
                        and not self._occurrences(n, unit_text, text, start, end):
                    return None  # 这两家, 三条主线: counting named things
            elif chinese_only and not (n.scale_text in ("亿", "万亿") and _SPELLED_DIGIT.search(n.text)):
                return None  # 三条, 千亿 (a magnitude): but 两万亿, 三千亿 are amounts
            elif re.match(r"[A-Za-z]", text[end:end + 1]):
                return None
            elif n.scale_text:
                clause = text[(clause_start(start) if clause_start else max(0, start - 40)):end + 6]
                unit = "count" if self.count_cues.search(clause) else "CNY"
                rule = "money.market_context" if unit == "CNY" else "count.scale"
            else:
                return self._bare(n, text, start, end)
        if chinese_only and (text[max(0, start - 1):start] in ("数", "几") or n.text in self.capitals):
            return None  # 数十万: no definite number; a lone 拾 or 伍 is a word (重拾升势)
        return Found(start, end, value, low, high, unit, unit_text, n.approx, rule, n)

    def _occurrences(self, n: Number, unit_text: str, text: str, start: int, end: int) -> bool:
        """两次, 五轮: how often something happened is a count (not 一次, 第二轮, 二次探底, 又一次)."""
        return (unit_text in self.occurrence_units and n.value >= 2 and n.text != "二"
                and not self.occurrence_not_before.search(text, max(0, start - 2), start)
                and not self.occurrence_not_after.match(text, end))

    def _bare(self, n: Number, text: str, start: int, end: int) -> Optional[Found]:
        """A number with no unit, scale, currency or percent sign."""
        if n.value is None:
            return None
        if self.list_before.search(text, max(0, start - 1), start) and self.list_after.match(text, end):
            return None
        if isinstance(n.value, float) and not n.value.is_integer():
            return Found(start, end, n.value, None, None, "other", None, n.approx, "other.decimal", n)
        if n.approx:
            return None
        if self.level_before.search(text, max(0, start - 3), start) and n.value >= 100:
            return Found(start, end, n.value, None, None, "other", None, False, "other.level", n)
        if self.count_before.search(text, max(0, start - 6), start):
            return Found(start, end, n.value, None, None, "count", None, False, "count.after_count_word", n)
        return None


_SPELLED_DIGIT = re.compile(r"[一二三四五六七八九两壹贰叁肆伍陆柒捌玖]")


def _scale(v, k):
    if v is None:
        return None
    r = round(v * k, 9)
    return int(r) if r == int(r) and abs(r) < 2 ** 63 else float(r)


_finder: Optional[FigureFinder] = None


def find_figures(text: str, numbers: Optional[list[Number]] = None) -> list[Found]:
    """Figures in a normalized text (see `FigureFinder.find`)."""
    global _finder
    if _finder is None:
        _finder = FigureFinder()
    return _finder.find(text, numbers)


@register
class Figures(Component):
    name = "figures"

    def load(self) -> None:
        self.finder = FigureFinder()

    def process(self, doc: Doc, state: RecapState) -> None:
        text = state.text
        found = self.finder.find(text, state.numbers, lambda pos: state.sentence_span(pos)[0])
        for f in found:
            fig = state.mention(
                Figure, f.start, f.end, value=f.value, low=f.low, high=f.high, unit=f.unit,
                unit_text=f.unit_text, approx=f.approx, sentence=state.sentence_of(f.start), rule=f.rule,
            )
            state.figures.append(fig)
            state.figure_numbers.append(f.number)
        add_spans(doc, "figures", [(f.start, f.end, f.unit) for f in found])
