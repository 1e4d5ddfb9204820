"""Dates: the trading date an article covers."""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState

_ISO = re.compile(r"(?<!\d)(20\d{2})[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")


def valid(y: int, m: int, d: int) -> Optional[str]:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def date_from_name(source: Optional[str]) -> Optional[str]:
    """A date in a file name: 2026-08-04.txt, 20260804-recap.md."""
    if not source:
        return None
    m = _ISO.search(PurePath(source).name)
    return valid(*map(int, m.groups())) if m else None


@register
class Dates(Component):
    name = "dates"

    def process(self, doc: Doc, state: RecapState) -> None:
        state.trading_date = state.date_hint
