"""The extraction pipeline: a blank Chinese spaCy Language with named, ordered components.

The tokenizer normalizes the raw article (keeping the map to the original) and segments it with
a private jieba instance; each component then writes its dimension into the article's
`RecapState` and its own `doc.spans` group; `to_article` turns the Doc into the output model.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Optional, Union

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import boards, claims, companies, dates, figures, market, numbers, sentences, themes  # noqa: F401
from .component import Component, register
from .models import Article
from .normalize import decode
from .rules import RULES_DIR
from .state import RecapState, get_state
from .tokenizer import JiebaTokenizer, make_segmenter

__version__ = "0.1.0"

numbers._component()


@register
class Normalization(Component):
    """Article-level facts of the normalization the tokenizer did: the script, and any warnings."""

    name = "normalization"

    def process(self, doc: Doc, state: RecapState) -> None:
        if state.norm.original and not state.norm.text.strip():
            state.warnings.append("no text left after removing markup")


# The one place that names and orders the steps.
COMPONENTS = [
    "normalization", "sentences", "numbers", "figures", "companies", "themes",
    "market", "boards", "dates", "claims",
]


def _rules_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(RULES_DIR.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(RULES_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:8]


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Changes whenever the code version or any rules file changes (used to resume batch runs)."""
    return f"{__version__}+{_rules_digest()}"


def build() -> Language:
    nlp = spacy.blank("zh")
    user_words = [*companies.user_words(), *themes.user_words()]
    nlp.tokenizer = JiebaTokenizer(nlp.vocab, make_segmenter(user_words))
    for name in COMPONENTS:
        nlp.add_pipe(f"recap_{name}", name=name)
    for _, proc in nlp.pipeline:
        proc.initialize()
    return nlp


@lru_cache(maxsize=1)
def load() -> Language:
    """The pipeline, built once per process."""
    return build()


def article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def to_article(doc: Doc) -> Article:
    s = get_state(doc)
    return Article(
        source=s.source, article_id=article_id(s.norm.original), script=s.norm.script,
        trading_date=s.trading_date, pipeline_version=pipeline_version(),
        figures=s.figures, claims=s.claims, companies=s.companies, themes=s.themes,
        market=s.market, boards=s.boards, warnings=s.warnings,
    )


def make_doc(text: Union[str, bytes], *, source: Optional[str] = None, date: Optional[str] = None) -> Doc:
    nlp = load()
    if isinstance(text, bytes):
        text = decode(text)
    doc = nlp.make_doc(text)
    state = get_state(doc)
    state.source = source
    state.date_hint = date or dates.date_from_name(source)
    return nlp(doc)


def extract(text: Union[str, bytes], *, source: Optional[str] = None, date: Optional[str] = None) -> Article:
    """Extract one article. `text` is the article (str, or bytes to decode); `date` is YYYY-MM-DD."""
    return to_article(make_doc(text, source=source, date=date))


def pipe(texts: Iterable[Union[str, bytes, tuple]], *, date: Optional[str] = None) -> Iterator[Article]:
    """Extract many articles; items are texts or `(text, source)` pairs."""
    for item in texts:
        text, source = item if isinstance(item, tuple) else (item, None)
        yield extract(text, source=source, date=date)
