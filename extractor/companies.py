"""Companies: listed A-shares resolved to their codes, and unlisted or foreign firms."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc

from .component import Component, register
from .state import RecapState


def user_words() -> Iterable[str]:
    """Names the private jieba tokenizer must keep whole."""
    return ()


@dataclass(frozen=True)
class CompanyRef:
    name: str  # canonical Simplified short name
    code: Optional[str]
    exchange: Optional[str]
    listed: bool


def resolve(name: str) -> Optional[CompanyRef]:
    """Resolve a company name as written (normalized, Simplified) to its canonical entry.

    Contract used by other dimensions (boards, market, claims): former names resolve to the
    current name, unambiguous abbreviations to the full short name; None when unknown.
    """
    return None


@register
class Companies(Component):
    name = "companies"

    def process(self, doc: Doc, state: RecapState) -> None:
        pass
