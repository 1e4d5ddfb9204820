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
from .models import Article, Market
from .normalize import decode, normalize
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


def make_doc(text: Union[str, bytes], *, source: Optional[str] = None, date: Optional[str] = None,
             claims_context: Optional[object] = None) -> Doc:
    nlp = load()
    if isinstance(text, bytes):
        text = decode(text)
    doc = nlp.make_doc(text)
    state = get_state(doc)
    state.source = source
    state.date_hint = date or dates.date_from_name(source)
    state.claims_context = claims_context
    return nlp(doc)


def extract(text: Union[str, bytes], *, source: Optional[str] = None, date: Optional[str] = None) -> Article:
    """Extract one article. `text` is the article (str, or bytes to decode); `date` is YYYY-MM-DD."""
    if isinstance(text, bytes):
        text = decode(text)
    if len(text) > HUGE_ARTICLE_CHARS:
        return extract_in_pieces(text, source=source, date=date)
    return to_article(make_doc(text, source=source, date=date))


def pipe(texts: Iterable[Union[str, bytes, tuple]], *, date: Optional[str] = None) -> Iterator[Article]:
    """Extract many articles; items are texts or `(text, source)` pairs."""
    for item in texts:
        text, source = item if isinstance(item, tuple) else (item, None)
        yield extract(text, source=source, date=date)


# ---------------------------------------------------------------- huge articles
# One spaCy Doc per article costs memory in proportion to its length; past this many characters an
# article is extracted piece by piece (cut at paragraph or line ends) and the results merged.
HUGE_ARTICLE_CHARS = 200_000
PIECE_CHARS = 100_000
_SENTENCE_ENDS = "。！？!?；;"


def piece_starts(text: str, size: int) -> list[int]:
    """Offsets where each piece of `text` starts: at most `size` characters each, cut after a blank
    line, else a line end, else a sentence end, else anywhere; never inside an HTML tag."""
    starts = [0]
    pos, n = 0, len(text)
    while n - pos > size:
        lo, hi = pos + size // 2, pos + size
        cut = text.rfind("\n\n", lo, hi)
        if cut >= 0:
            cut += 2
        elif (cut := text.rfind("\n", lo, hi)) >= 0:
            cut += 1
        else:
            cut = max(text.rfind(ch, lo, hi) for ch in _SENTENCE_ENDS) + 1 or hi
            if cut <= lo:
                cut = hi
        lt, gt = text.rfind("<", cut - 2000, cut), text.rfind(">", cut - 2000, cut)
        if lt > gt and lt > pos:
            cut = lt
        starts.append(cut)
        pos = cut
    return starts


def _shift(item, base: int):
    return item.model_copy(update={"start": item.start + base, "end": item.end + base})


def extract_in_pieces(text: str, *, source: Optional[str] = None, date: Optional[str] = None,
                      size: Optional[int] = None) -> Article:
    """Extract a huge article piece by piece in bounded memory; offsets point into the whole text.

    Figures, claims and boards are concatenated; companies and themes merged by name; market
    fields and the trading date come from the first piece that states them.
    """
    starts = piece_starts(text, size or PIECE_CHARS)
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    all_figures, all_claims, all_boards, all_indices, warnings = [], [], [], [], []
    companies: dict[str, object] = {}
    themes: dict[str, object] = {}
    fields: dict[str, object] = {}
    evidence: dict[str, object] = {}
    trading_date, n_sentences = None, 0
    claims_context = None
    for base, end in bounds:
        doc = make_doc(text[base:end], source=source, date=date or trading_date,
                       claims_context=claims_context)
        part, n_sent = to_article(doc), len(get_state(doc).sentences)
        claims_context = get_state(doc).claims_context
        del doc
        trading_date = trading_date or part.trading_date
        for c in part.claims:
            all_claims.append(_shift(c, base).model_copy(update={"figure": c.figure + len(all_figures)}))
        all_figures += [_shift(f, base).model_copy(update={"sentence": f.sentence + n_sentences})
                        for f in part.figures]
        n_sentences += n_sent
        all_boards += [_shift(b, base) for b in part.boards]
        for c in part.companies:
            mentions = [_shift(m, base) for m in c.mentions]
            if c.name in companies:
                companies[c.name].mentions.extend(mentions)
            else:
                companies[c.name] = c.model_copy(update={"mentions": mentions})
        for t in part.themes:
            mentions = [_shift(m, base) for m in t.mentions]
            if t.name in themes:
                old = themes[t.name]
                old.mentions.extend(mentions)
                old.leaders.extend(x for x in t.leaders if x not in old.leaders)
                old.role = old.role or t.role
            else:
                themes[t.name] = t.model_copy(update={"mentions": mentions, "leaders": list(t.leaders)})
        m = part.market
        all_indices += [_shift(q, base) for q in m.indices]
        for key, value in m:
            if key not in ("indices", "evidence") and value is not None and key not in fields:
                fields[key] = value
                if key in m.evidence:
                    evidence[key] = _shift(m.evidence[key], base)
        for key, ev in m.evidence.items():
            evidence.setdefault(key, _shift(ev, base))
        warnings += [w for w in part.warnings if w not in warnings]
    warnings.append(f"long article ({len(text)} characters): extracted in {len(bounds)} pieces")
    return Article(
        source=source, article_id=article_id(text), script=normalize(text[:200_000]).script,
        trading_date=trading_date, pipeline_version=pipeline_version(),
        figures=all_figures, claims=all_claims, companies=list(companies.values()),
        themes=list(themes.values()), boards=all_boards, warnings=warnings,
        market=Market(**fields, indices=all_indices, evidence=evidence),
    )
