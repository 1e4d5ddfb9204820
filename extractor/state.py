"""What the pipeline's components share about one article while they work on its Doc."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, TypeVar

from spacy.tokens import Doc

from .models import Board, Claim, Company, Figure, Market, Mention, Theme
from .normalize import Normalized

if TYPE_CHECKING:
    from .numbers import Number

M = TypeVar("M", bound=Mention)


@dataclass
class RecapState:
    norm: Normalized
    source: Optional[str] = None
    date_hint: Optional[str] = None  # --date, or a date found in the file name
    # The claims reader's context at the end of the previous piece of a huge article (claims.Carry).
    claims_context: Optional[object] = None
    sentences: list[tuple[int, int]] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # The number each figure was built from, parallel to `figures`.
    figure_numbers: list[Number] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    market: Market = field(default_factory=Market)
    boards: list[Board] = field(default_factory=list)
    trading_date: Optional[str] = None
    claims: list[Claim] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Where each token of the Doc ends (normalized offsets), from the tokenizer; None when unknown.
    token_ends: Optional[list[int]] = None
    # What components derive from the text and share (companies.article_view), made on first use.
    derived: dict = field(default_factory=dict, repr=False)
    _sent_starts: list[int] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        """The normalized text every component matches on."""
        return self.norm.text

    def mention(self, model: type[M], nstart: int, nend: int, **fields) -> M:
        """Build an output item for a normalized span: text/start/end point into the original."""
        if model is Mention and not fields:
            return _mention(self.norm.span(nstart, nend), nstart, nend)
        item = model(**self.norm.span(nstart, nend), **fields)
        item._nstart, item._nend = nstart, nend
        return item

    def sentence_of(self, pos: int) -> int:
        if not self._sent_starts:
            self._sent_starts = [s for s, _ in self.sentences]
        return max(0, bisect_right(self._sent_starts, pos) - 1)

    def sentence_span(self, pos: int) -> tuple[int, int]:
        if not self.sentences:
            return 0, len(self.text)
        return self.sentences[self.sentence_of(pos)]


_MENTION_FIELDS = frozenset(Mention.model_fields)


def _mention(span: dict, nstart: int, nend: int) -> Mention:
    """A bare Mention, the most frequent item, made the way `Mention.model_construct` makes one
    (its span needs no checks), with its private offsets set in the same step."""
    item = Mention.__new__(Mention)
    setattr_ = object.__setattr__
    setattr_(item, "__dict__", span)
    setattr_(item, "__pydantic_fields_set__", set(_MENTION_FIELDS))
    setattr_(item, "__pydantic_extra__", None)
    setattr_(item, "__pydantic_private__", {"_nstart": nstart, "_nend": nend})
    return item


def get_state(doc: Doc) -> RecapState:
    return doc.user_data["recap"]


S = TypeVar("S")


def longest_first(found: list[S], size: int) -> tuple[list[S], bytearray]:
    """Overlapping matches (with .start/.end): the longest wins, among equals the earlier one. Returns
    the kept matches in text order and the characters they cover (a byte per offset, `size` + 1)."""
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    taken = []
    occupied = bytearray(size + 1)
    for m in found:
        if any(occupied[m.start:m.end]):
            continue
        occupied[m.start:m.end] = b"\x01" * (m.end - m.start)
        taken.append(m)
    taken.sort(key=lambda m: m.start)
    return taken, occupied


def add_span(doc: Doc, group: str, nstart: int, nend: int, label: str = "") -> None:
    """Record an item in the Doc's span group `group` (token-aligned, expanded to whole tokens)."""
    span = doc.char_span(nstart, nend, label=label, alignment_mode="expand")
    if span is not None:
        if group not in doc.spans:
            doc.spans[group] = []
        doc.spans[group].append(span)
