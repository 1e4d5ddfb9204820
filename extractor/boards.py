"""Board ladder: named stocks with their limit-up streak (X7板, 4天2板, 首板)."""
from __future__ import annotations

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState


@register
class Boards(Component):
    name = "boards"

    def process(self, doc: Doc, state: RecapState) -> None:
        pass
