"""Companies: listed A-shares resolved to their codes, and unlisted or foreign firms."""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState


def user_words() -> Iterable[str]:
    """Names the private jieba tokenizer must keep whole."""
    return ()


@register
class Companies(Component):
    name = "companies"

    def process(self, doc: Doc, state: RecapState) -> None:
        pass
