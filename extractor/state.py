"""What the pipeline's components share about one article while they work on its Doc."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from types import UnionType
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, Optional, TypeVar, Union, get_args, get_origin

from annotated_types import Ge
from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from spacy.tokens import Doc, Span

from .models import Board, Claim, Company, Figure, Market, Mention, Theme
from .normalize import Normalized

if TYPE_CHECKING:
    from .numbers import Number

M = TypeVar("M", bound=Mention)
B = TypeVar("B", bound=BaseModel)


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
        values = self.norm.span(nstart, nend)
        if fields:
            values.update(fields)
        return build(model, values, _nstart=nstart, _nend=nend)

    def sentence_of(self, pos: int) -> int:
        if not self._sent_starts:
            self._sent_starts = [s for s, _ in self.sentences]
        return max(0, bisect_right(self._sent_starts, pos) - 1)

    def sentence_span(self, pos: int) -> tuple[int, int]:
        if not self.sentences:
            return 0, len(self.text)
        return self.sentences[self.sentence_of(pos)]


def build(model: type[B], values: dict, **private) -> B:
    """`model(**values)`, with private attributes set from `private`.

    Values that already have their field's exact type and meet its bounds are taken as they are
    (as `model_construct` would take them, so outputs are the same); anything else (a value to
    convert, a missing or unknown field) goes through pydantic's validation.
    """
    spec = _specs.get(model)
    if spec is None:
        spec = _specs[model] = _BuildSpec(model)
    item = spec.construct(values, private) if spec.checkable else None
    if item is None:
        item = model(**values)
        for name, value in private.items():
            setattr(item, name, value)
    return item


class _BuildSpec:
    """What `build` checks of a model's fields: the types each keeps as they are and the strings
    its Literal allows (`accepts`), and the minimums. `checkable` is False for a model with
    validators of its own or with fields `build` cannot check."""

    def __init__(self, model: type[BaseModel]):
        self.model = model
        self.names = frozenset(model.model_fields)
        self.required = frozenset(name for name, info in model.model_fields.items() if info.is_required())
        self.defaults = {name: info.default for name, info in model.model_fields.items()}  # in field order
        self.private = {name: attr.get_default() for name, attr in model.__private_attributes__.items()}
        self.accepts: dict[str, tuple[frozenset, frozenset]] = {}
        self.minimums: list[tuple[str, object]] = []
        self.checkable = _plain_model(model)
        for name, info in model.model_fields.items():
            accepts = _accepts(info.annotation)
            minimum = [m.ge for m in info.metadata if isinstance(m, Ge)]
            if accepts is None or len(minimum) != len(info.metadata) or info.default_factory is not None \
                    or type(info.default) not in _IMMUTABLE_DEFAULTS:
                self.checkable = False
            self.accepts[name] = accepts
            if minimum:
                self.minimums.append((name, minimum[0]))

    def construct(self, values: dict, private: dict):
        if not (self.required <= values.keys() <= self.names):
            return None
        accepts = self.accepts
        for name, value in values.items():
            types, literals = accepts[name]
            if type(value) not in types and not (type(value) is str and value in literals):
                return None
        for name, minimum in self.minimums:
            value = values.get(name)
            if value is not None and not value >= minimum:
                return None
        return construct(self.model, {**self.defaults, **values}, set(values),
                         {**self.private, **private} if self.private else None)


def construct(model: type[B], fields: dict, fields_set: Optional[set] = None,
              private: Optional[dict] = None) -> B:
    """An item from values known to be valid, every field given in order: what
    `model.model_construct` makes, without its (slower than validating) Python code."""
    item = model.__new__(model)
    set_ = object.__setattr__
    set_(item, "__dict__", fields)
    set_(item, "__pydantic_fields_set__", set(fields) if fields_set is None else fields_set)
    set_(item, "__pydantic_extra__", None)
    set_(item, "__pydantic_private__", private)
    return item


_specs: dict[type, _BuildSpec] = {}
_PLAIN_TYPES = (str, int, float, bool, type(None))
_IMMUTABLE_DEFAULTS = (*_PLAIN_TYPES, type(PydanticUndefined))


def _plain_model(model: type[BaseModel]) -> bool:
    """No validators, and no model_post_init but pydantic's own (which sets private attributes)."""
    d = model.__pydantic_decorators__
    if d.validators or d.field_validators or d.root_validators or d.model_validators:
        return False
    post_init = model.model_post_init
    while hasattr(post_init, "__wrapped__"):
        post_init = post_init.__wrapped__
    return post_init is BaseModel.model_post_init or post_init.__name__ == "init_private_attributes"


def _accepts(annotation) -> Optional[tuple[frozenset, frozenset]]:
    """(the types pydantic keeps as they are, the strings a Literal allows), or None when not known."""
    if annotation in _PLAIN_TYPES:
        return frozenset([annotation]), frozenset()
    origin = get_origin(annotation)
    if origin is Literal:
        values = get_args(annotation)
        return (frozenset(), frozenset(values)) if all(type(v) is str for v in values) else None
    if origin in (Union, UnionType):
        types, literals = set(), set()
        for arg in get_args(annotation):
            accepts = _accepts(arg)
            if accepts is None:
                return None
            types |= accepts[0]
            literals |= accepts[1]
        return frozenset(types), frozenset(literals)
    return None


def offsets(item: Mention) -> tuple[int, int]:
    """An item's span in the normalized text."""
    private = item.__pydantic_private__
    return private["_nstart"], private["_nend"]


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
    add_spans(doc, group, [(nstart, nend, label)])


def add_spans(doc: Doc, group: str, items: Iterable[tuple[int, int, str]]) -> None:
    """`add_span` for many (nstart, nend, label) items at once."""
    ends = getattr(doc.user_data.get("recap"), "token_ends", None)
    if ends is not None and len(ends) == len(doc):
        spans = _spans_at_token_ends(doc, ends, items)
    else:
        spans = _char_spans(doc, items)
    if spans:
        if group in doc.spans:
            doc.spans[group].extend(spans)
        else:
            doc.spans[group] = spans


def _char_spans(doc: Doc, items: Iterable[tuple[int, int, str]]) -> list[Span]:
    char_span = doc.char_span
    return [span for nstart, nend, label in items
            if (span := char_span(nstart, nend, label=label, alignment_mode="expand")) is not None]


def _spans_at_token_ends(doc: Doc, ends: list[int], items: Iterable[tuple[int, int, str]]) -> list[Span]:
    """What `_char_spans` makes, placed by bisecting the tokenizer's token ends (the tokens are the
    text cut without gaps) instead of by spaCy's character lookup."""
    spans = []
    labels: dict[str, int] = {}
    for nstart, nend, label in items:
        first, last = bisect_right(ends, nstart), bisect_right(ends, nend - 1)  # tokens of nstart, nend - 1
        if nend > 0 and last < len(ends):
            if label not in labels:
                labels[label] = doc.vocab.strings.add(label)
            spans.append(Span(doc, first, last + 1, label=labels[label]))
    return spans
