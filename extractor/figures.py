"""Figures: every quantity the writer states, with its unit class, built on the numbers layer."""
from __future__ import annotations

import re
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .models import Figure
from .numbers import Number
from .rules import RuleModel, load_toml
from .state import RecapState, add_span


class UnitRules(RuleModel):
    classes: dict[str, list[str]]
    prices: dict[str, list[str]]
    not_figures: dict[str, list[str]]


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]*[(（]?$")
_MONEY_CUES = re.compile(r"成交|资金|流入|流出|市值|营收|收入|利润|开支|投资|融资|募资|金额|规模|订单|价|资产|成本|估值|净买|净卖|抢筹|买入|卖出|亏损|盈利|销售额|产值")
_COUNT_CUES = re.compile(r"用户|人数|人口|下载|存量|销量|出货|访问")
_CURRENCY_UNITS = {"CNY", "USD", "HKD"}


@register
class Figures(Component):
    name = "figures"

    def load(self) -> None:
        r = load_toml("units.toml", UnitRules)
        self.unit_of = {s: cls for cls, surfaces in r.classes.items() for s in surfaces}
        self.unit_re = re.compile(rf"(?:{_alt(self.unit_of)})")
        self.price_re = re.compile(rf"(?:{_alt(r.prices['suffixes'])})")
        self.after_re = re.compile(rf"(?:{_alt(r.not_figures['after'])})")
        self.before_re = re.compile(rf"(?:{_alt(r.not_figures['before'])})$")

    def process(self, doc: Doc, state: RecapState) -> None:
        text = state.text
        for n in state.numbers:
            fig = self.figure(n, text, state)
            if fig is not None:
                state.figures.append(fig)
                state.figure_numbers.append(n)
                add_span(doc, "figures", fig._nstart, fig._nend, fig.unit)

    def figure(self, n: Number, text: str, state: RecapState) -> Optional[Figure]:
        start, end = n.start, n.end
        before = text[max(0, start - 4):start]
        if self.before_re.search(before):
            return None
        if re.search(r"[A-Za-z]$|[A-Za-z]-$", before) and n.kind != "money":
            return None
        unit: Optional[str] = None
        unit_text = n.unit_text
        rule = n.rule
        if n.kind == "percent":
            unit = "percent"
        elif n.kind == "money":
            unit = n.currency if n.currency in _CURRENCY_UNITS else "other"
            m = self.price_re.match(text, end)
            if m:
                end, unit_text, rule = m.end(), (unit_text or "") + m.group(), "money.price"
        else:
            if self.after_re.match(text, end):
                return None
            m = self.unit_re.match(text, end)
            if m:
                unit = self.unit_of[m.group()]
                unit_text, end, rule = m.group(), m.end(), f"{self.unit_of[m.group()]}.unit"
            elif re.match(r"[A-Za-z]", text[end:end + 1]):
                return None
            elif n.scale_text in ("亿", "万亿"):
                clause = text[state.sentence_span(start)[0]:end + 8]
                unit = "count" if _COUNT_CUES.search(clause) and not _MONEY_CUES.search(clause) else "CNY"
                rule = "money.market_context" if unit == "CNY" else "count.scale"
            elif n.chinese:
                return None
            else:
                if _LIST_MARKER.search(text, 0, start) and re.match(r"[、.．)）]", text[end:end + 1]):
                    return None
                if re.fullmatch(r"[036]\d{5}", n.text):
                    return None
                if text[end:end + 1] in ("、", "．") or (text[end:end + 1] == "." and not text[end + 1:end + 2].isdigit()):
                    if _LIST_MARKER.search(text, 0, start):
                        return None
                if n.value is not None and 1900 <= n.value <= 2100 and re.fullmatch(r"\d{4}", n.text):
                    return None
                unit, rule = "count", "count.bare"
        return state.mention(
            Figure, start, end, value=n.value, low=n.low, high=n.high, unit=unit,
            unit_text=unit_text, approx=n.approx, sentence=state.sentence_of(start), rule=rule,
        )
