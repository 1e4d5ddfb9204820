"""Market statistics: 涨停/跌停家数, 封板率, 炸板, 连板, 最高连板, 成交额, index closes."""
from __future__ import annotations

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState


@register
class MarketStats(Component):
    name = "market"

    def process(self, doc: Doc, state: RecapState) -> None:
        pass
