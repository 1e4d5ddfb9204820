"""The extraction pipeline: a blank Chinese spaCy Language with named, ordered components.

The tokenizer normalizes the raw article (keeping the map to the original) and segments it with
a private jieba instance; each component then writes its dimension into the article's
`RecapState` and its own `doc.spans` group; `to_article` turns the Doc into the output model.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Optional, Union

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import jsonstream
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
    h = hashlib.sha256()
    for i in range(0, len(text), 1 << 20):  # a huge text is not encoded whole at once
        h.update(text[i:i + (1 << 20)].encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


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
# Pieces the size of a long recap: some steps cost more than linear time in a Doc's length.
HUGE_ARTICLE_CHARS = 200_000
PIECE_CHARS = 10_000
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


@dataclass
class _Merged:
    """A huge article's pieces merged: the lists are `new_list(depth)` collectors (lists or spools)."""

    figures: object
    claims: object
    boards: object
    indices: object
    companies: dict  # name -> (Company without its mentions, mentions collector)
    themes: dict  # name -> (Theme without its mentions, mentions collector)
    fields: dict
    evidence: dict
    warnings: list
    trading_date: Optional[str]
    script: str


def _merge_pieces(text: str, source: Optional[str], date: Optional[str], size: Optional[int],
                  new_list: Callable[[int], object]) -> _Merged:
    """Extract `text` piece by piece, handing each item to its collector as soon as it is made.

    Figures, claims and boards are concatenated; companies and themes merged by name; market
    fields and the trading date come from the first piece that states them. `new_list(depth)`
    makes a collector for a list whose items sit `depth` levels deep in the article's JSON.
    """
    starts = piece_starts(text, size or PIECE_CHARS)
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    m = _Merged(new_list(2), new_list(2), new_list(2), new_list(3), {}, {}, {}, {}, [], None,
                normalize(text[:200_000]).script)
    n_sentences = 0
    claims_context = None
    for base, end in bounds:
        doc = make_doc(text[base:end], source=source, date=date or m.trading_date,
                       claims_context=claims_context)
        part, n_sent = to_article(doc), len(get_state(doc).sentences)
        claims_context = get_state(doc).claims_context
        del doc
        m.trading_date = m.trading_date or part.trading_date
        n_figures = len(m.figures)
        for c in part.claims:
            m.claims.append(_shift(c, base).model_copy(update={"figure": c.figure + n_figures}))
        for f in part.figures:
            m.figures.append(_shift(f, base).model_copy(update={"sentence": f.sentence + n_sentences}))
        n_sentences += n_sent
        for b in part.boards:
            m.boards.append(_shift(b, base))
        for c in part.companies:
            if c.name not in m.companies:
                m.companies[c.name] = (c.model_copy(update={"mentions": []}), new_list(4))
            m.companies[c.name][1].extend(_shift(x, base) for x in c.mentions)
        for t in part.themes:
            if t.name not in m.themes:
                m.themes[t.name] = (t.model_copy(update={"mentions": [], "leaders": list(t.leaders)}),
                                    new_list(4))
            else:
                old = m.themes[t.name][0]
                old.leaders.extend(x for x in t.leaders if x not in old.leaders)
                old.role = old.role or t.role
            m.themes[t.name][1].extend(_shift(x, base) for x in t.mentions)
        mk = part.market
        for q in mk.indices:
            m.indices.append(_shift(q, base))
        for key, value in mk:
            if key not in ("indices", "evidence") and value is not None and key not in m.fields:
                m.fields[key] = value
                if key in mk.evidence:
                    m.evidence[key] = _shift(mk.evidence[key], base)
        for key, ev in mk.evidence.items():
            m.evidence.setdefault(key, _shift(ev, base))
        m.warnings += [w for w in part.warnings if w not in m.warnings]
        del part
    m.warnings.append(f"long article ({len(text)} characters): extracted in {len(bounds)} pieces")
    return m


def _header(m: _Merged, text: str, source: Optional[str], aid: Optional[str], **lists) -> Article:
    return Article(
        source=source, article_id=aid or article_id(text), script=m.script,
        trading_date=m.trading_date, pipeline_version=pipeline_version(), warnings=m.warnings,
        market=Market(**m.fields, indices=lists.pop("indices", []), evidence=m.evidence), **lists,
    )


def extract_in_pieces(text: str, *, source: Optional[str] = None, date: Optional[str] = None,
                      size: Optional[int] = None) -> Article:
    """Extract a huge article piece by piece; offsets point into the whole text.

    The whole result is held in memory: `write_in_pieces` writes it out instead, item by item.
    """
    m = _merge_pieces(text, source, date, size, lambda depth: [])
    companies = [c.model_copy(update={"mentions": ms}) for c, ms in m.companies.values()]
    themes = [t.model_copy(update={"mentions": ms}) for t, ms in m.themes.values()]
    return _header(m, text, source, None, figures=m.figures, claims=m.claims, boards=m.boards,
                   indices=m.indices, companies=companies, themes=themes)


def write_in_pieces(text: str, out: IO[bytes], *, source: Optional[str] = None,
                    date: Optional[str] = None, size: Optional[int] = None, pretty: bool = False,
                    aid: Optional[str] = None, spool_dir: Optional[str] = None) -> None:
    """Write a huge article's JSON to `out`, byte for byte what `orjson.dumps` (OPT_INDENT_2 when
    `pretty`) makes of `extract_in_pieces(...).model_dump(mode="json")`, without holding its items.

    Figures, claims, boards and index quotes wait in temporary files (in `spool_dir`) until the
    fields before them in the JSON are known; company and theme mentions wait in memory, serialized.
    """
    with ExitStack() as stack:
        def new_list(depth: int) -> jsonstream.Spool:
            file = stack.enter_context(tempfile.TemporaryFile(dir=spool_dir)) if depth < 4 else None
            return jsonstream.Spool(depth, pretty, file)

        m = _merge_pieces(text, source, date, size, new_list)
        skeleton = _header(m, text, source, aid).model_dump(mode="json")
        skeleton.update(figures=m.figures, claims=m.claims, boards=m.boards)
        skeleton["market"]["indices"] = m.indices
        skeleton["companies"] = [{**c.model_dump(mode="json"), "mentions": ms} for c, ms in m.companies.values()]
        skeleton["themes"] = [{**t.model_dump(mode="json"), "mentions": ms} for t, ms in m.themes.values()]
        jsonstream.write(out, skeleton, pretty)
