"""Themes: sectors and concepts (题材, 板块, 概念) and the stocks named as their leaders."""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState


def user_words() -> Iterable[str]:
    """Names the private jieba tokenizer must keep whole."""
    return ()


@register
class Themes(Component):
    name = "themes"

    def process(self, doc: Doc, state: RecapState) -> None:
        pass
