"""Sentence (clause-group) boundaries on the normalized text."""
from __future__ import annotations

import re

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState

_END = re.compile(r"[。!?;！？；\n]+")


def split(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _END.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


@register
class Sentences(Component):
    name = "sentences"

    def process(self, doc: Doc, state: RecapState) -> None:
        state.sentences = split(state.text)
