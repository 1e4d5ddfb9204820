"""Search tokens for Chinese text of any word length, query building, and snippets.

Both backends index the same pre-segmented tokens, in three fields:

- `chars`: every unit (one CJK character, or a run of Latin letters, or a number such as 1.44);
- `grams`: the bigrams of adjacent units, in order, so a phrase of bigrams finds any substring of
  two or more units (算力, 液冷, 中际旭创, CPO概念);
- `words`: jieba words (search mode, with the project's dictionary), to rank whole-word matches higher.

A query is split on whitespace into terms that must all occur (substring semantics); punctuation
inside a term splits it further. Every token is quoted, so FTS5 or tsquery syntax typed by the user
(quotes, NEAR, *, ^, parentheses, AND/OR/NOT) is matched as text, never interpreted.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..normalize import normalize

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
UNIT = re.compile(rf"[{_CJK}]|\d+(?:\.\d+)?|[^\W\d_{_CJK}]+")
MAX_UNIT = 64
PASSAGE_CHARS = 300
_SENTENCE_END = re.compile(r"[。！？；!?;]")
TSV_MAX_POS = 16383
MAX_CLAUSES = 64  # a query longer than this is cut (all of its first 64 runs must still occur)


@dataclass
class Unit:
    text: str
    start: int
    end: int


def search_form(text: str) -> str:
    """The normalized (Simplified, half-width), lower-cased form both documents and queries use."""
    return normalize(text).text.lower() if text else ""


def units(text: str) -> list[Unit]:
    return [Unit(m.group()[:MAX_UNIT], m.start(), m.end()) for m in UNIT.finditer(text)]


def runs(us: list[Unit]) -> list[list[Unit]]:
    """Maximal sequences of units with nothing between them."""
    out: list[list[Unit]] = []
    for u in us:
        if out and out[-1][-1].end == u.start:
            out[-1].append(u)
        else:
            out.append([u])
    return out


def bigrams(run: list[Unit]) -> list[str]:
    return [a.text + b.text for a, b in zip(run, run[1:])]


@lru_cache(maxsize=1)
def _segmenter():
    """The pipeline's segmenter (jieba's dictionary plus the project's words; cached between runs)."""
    from .. import companies, themes
    from ..tokenizer import make_segmenter

    return make_segmenter([*companies.user_words(), *themes.user_words()])


def _cut_for_search(text: str):
    """jieba's search mode: each word, preceded by the dictionary words of 2 and 3 characters in it."""
    seg = _segmenter()
    for w in seg.cut(text):
        for n in (2, 3):
            if len(w) > n:
                for i in range(len(w) - n + 1):
                    if seg.FREQ.get(w[i:i + n]):
                        yield w[i:i + n]
        yield w


def words(text: str) -> list[str]:
    """Search-mode words (sub-words of long words included) made only of units."""
    return [w[:MAX_UNIT] for w in _cut_for_search(text) if w and "".join(u.text for u in units(w)) == w]


@dataclass
class Tokens:
    """The three token fields of one indexed text (already in search form)."""

    words: list[str] = field(default_factory=list)
    grams: list[str] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)


def tokens(text: str) -> Tokens:
    us = units(text)
    grams = [g for r in runs(us) for g in bigrams(r)]
    return Tokens(words=words(text), grams=grams, chars=[u.text for u in us])


def tsvector_literal(toks: list[str]) -> str:
    """A PostgreSQL tsvector literal with positions; tokens hold only letters, digits and '.'."""
    positions: dict[str, list[int]] = {}
    for i, t in enumerate(toks, 1):
        positions.setdefault(t, []).append(min(i, TSV_MAX_POS))
    return " ".join(f"{quote_ts(t)}:{','.join(map(str, sorted(set(p))[:256]))}" for t, p in positions.items())


def quote_ts(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _quote_fts(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


# ---------------------------------------------------------------- passages
@dataclass
class Passage:
    nstart: int
    nend: int


def passages(ntext: str, size: int = PASSAGE_CHARS) -> list[Passage]:
    """Lines of the normalized text, long lines cut after a sentence end near `size` characters."""
    out = []
    pos = 0
    for line in ntext.splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        while start < end:
            stop = min(end, start + size)
            if stop < end:
                cut = None
                for m in _SENTENCE_END.finditer(ntext, start + size // 3, stop):
                    cut = m.end()
                stop = cut or stop
            if UNIT.search(ntext, start, stop):
                out.append(Passage(start, stop))
            start = stop
    return out


# ---------------------------------------------------------------- queries
@dataclass
class Clause:
    """One run of a query term: a phrase of bigrams, or a single unit; plus the whole-word form."""

    units: list[str]
    word: Optional[str]

    @property
    def phrase(self) -> list[str]:
        return [a + b for a, b in zip(self.units, self.units[1:])] or self.units

    @property
    def field(self) -> str:
        return "grams" if len(self.units) > 1 else "chars"


@dataclass
class Query:
    text: str
    clauses: list[Clause]

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def fts5(self) -> str:
        """SQLite FTS5 MATCH expression; every token quoted."""
        parts = []
        for c in self.clauses:
            expr = f"{c.field} : {_quote_fts(' '.join(c.phrase))}"
            if c.word:
                expr = f"({expr} OR words : {_quote_fts(c.word)})"
            parts.append(expr)
        return " AND ".join(parts)

    def tsquery(self, clause: Clause) -> str:
        """PostgreSQL tsquery literal for one clause (a phrase with <->); every token quoted."""
        return " <-> ".join(quote_ts(t) for t in clause.phrase)

    def words_tsquery(self) -> Optional[str]:
        ws = [c.word for c in self.clauses if c.word]
        return " | ".join(quote_ts(w) for w in ws) if ws else None


def parse_query(text: str) -> Query:
    clauses = []
    for term in search_form(text or "").split():
        for run in runs(units(term)):
            joined = "".join(u.text for u in run)
            clauses.append(Clause([u.text for u in run], joined))
    return Query(text or "", clauses[:MAX_CLAUSES])


# ---------------------------------------------------------------- snippets
_TAG = re.compile(r"<[^<>]*>|<!--.*?(?:-->|$)", re.DOTALL)  # an unclosed comment runs to the end
_SPACE = re.compile(r"\s+")


def _clean(piece: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", piece)))


@dataclass
class Snippet:
    segments: list[tuple[str, bool]]  # (text, highlighted), in the original script
    highlights: list[tuple[int, int]]  # original offsets of the highlighted spans in the article

    @property
    def text(self) -> str:
        return "".join(f"【{t}】" if hit else t for t, hit in self.segments)

    @property
    def html(self) -> str:
        return "".join(f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t)
                       for t, hit in self.segments)

    def ansi(self) -> str:
        return "".join(f"\x1b[1m{t}\x1b[0m" if hit else t for t, hit in self.segments)


def find_clauses(ntext: str, query: Query) -> list[tuple[int, int]]:
    """Spans of the normalized text where a query clause's units occur in a row."""
    us = units(ntext)
    spans = []
    for c in query.clauses:
        n = len(c.units)
        for i in range(len(us) - n + 1):
            if all(us[i + k].text == c.units[k] for k in range(n)) and \
                    all(us[i + k].end == us[i + k + 1].start for k in range(n - 1)):
                spans.append((us[i].start, us[i + n - 1].end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippet(original: str, ostart: int, oend: int, query: Query,
            focus: Optional[tuple[int, int]] = None, width: int = 90) -> Snippet:
    """A snippet of `original[ostart:oend]` with the query's matches marked, in the original text.

    `focus` (original offsets) centers the snippet and is marked when no query term is found.
    """
    window = original[ostart:oend]
    norm = normalize(window)
    ntext = norm.text.lower()
    hits = find_clauses(ntext, query)
    if not hits and focus:
        fs = _to_norm(norm, max(0, focus[0] - ostart))
        fe = _to_norm(norm, max(0, focus[1] - ostart))
        if fe > fs:
            hits = [(fs, fe)]
    center = hits[0][0] if hits else 0
    ws = max(0, center - width // 3)
    we = min(len(ntext), ws + width)
    ws = max(0, min(ws, we - width))
    shown = [(max(s, ws), min(e, we)) for s, e in hits if s < we and e > ws]
    segments: list[tuple[str, bool]] = []
    highlights = []
    cursor = ws
    for s, e in shown + [(we, we)]:
        if s > cursor:
            a, b = norm.to_original(cursor, s)
            segments.append((_clean(window[a:b]), False))
        if e > s:
            a, b = norm.to_original(s, e)
            segments.append((_clean(window[a:b]), True))
            highlights.append((ostart + a, ostart + b))
        cursor = max(cursor, e)
    segments = [(t, hit) for t, hit in segments if t]
    if segments and not segments[0][1]:
        segments[0] = (segments[0][0].lstrip(), False)
    if segments and not segments[-1][1]:
        segments[-1] = (segments[-1][0].rstrip(), False)
    if ws > 0:
        segments.insert(0, ("…", False))
    if we < len(ntext):
        segments.append(("…", False))
    return Snippet(segments, highlights)


def _to_norm(norm, opos: int) -> int:
    """The normalized offset of an original offset (orig_start is monotonic in its argument)."""
    lo, hi = 0, len(norm.text)
    while lo < hi:
        mid = (lo + hi) // 2
        if norm.orig_start(mid) < opos:
            lo = mid + 1
        else:
            hi = mid
    return lo
