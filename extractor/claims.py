"""Claims: what each figure is about (subject), what it measures (metric), for when (period) and
how sure the writer is (modality); then one claim per figure with a stable key.

One linear pass over the article's lines, sentences and clauses carries context forward the way a
reader does: a clause with no subject of its own is about the last one named in the paragraph, a
clause with no metric continues the previous clause's (涨43.25点，或1.14%), a date at the start of
a clause holds until another replaces it. Markdown tables take the metric from the column header
and the subject from the row's name cell. Lexicons live in rules/metrics.toml and rules/claims.toml
(compiled in claims_lexicon.py); periods as dates in claims_periods.py.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Callable, NamedTuple, Optional, Union

import jieba
from spacy.tokens import Doc

from .claims_lexicon import MODALITY_ORDER, NO_MODALITY, Cue, Lexicon, lexicon
from .claims_periods import choose_period, clean_period, note_period, resolve_period
from .component import Component, register
from .models import Claim, Figure
from .state import RecapState


_LIST_SEP = re.compile(r"[、/和与及跟]")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[、.．](?!\d)|[一二三四五六七八九十]{1,3}[、.．]|[(（]\d{1,2}[)）]|[①-⑳]|[a-z][.、])\s*")
_COMMA = re.compile(r"[，,：:]")
_CLAUSE_END = re.compile(r"[，,：:](?![^（(）)]{0,30}[)）])")  # not inside (沪：600519)
_PAREN = re.compile(r"[(（][^()（）]{0,24}[)）]|[(（][^()（）]*$")
_SENT_END = re.compile(r"[。！？!?；;]")
_NEWLINE = re.compile(r"\n")
_TABLE_SEP = re.compile(r"^\s*(?:\|\s*)?:?-{2,}")
_NAME_HEADERS = ("名称", "股票名称", "简称", "股票简称", "证券简称", "个股", "股票", "名字", "标的")
_INDEX_HEADERS = ("序号", "排名", "编号", "No", "NO", "#")
_NOT_NOUN = {"d", "p", "c", "u", "uj", "ul", "uv", "uz", "ug", "ud", "y", "e", "o", "r", "vd", "ad"}
_LISTED = re.compile(r"(?:是|为|包括|有)([^，,：:。是为]{1,12}(?:、[^，,：:。、]{1,12})+)$")
# 最高的为沃尔德 / 涨幅靠后的海南椰岛(SH600238): a stock named at the end of a clause
_NAMED_TAIL = re.compile(
    r"的(?P<is>为|是)?(?P<name>[^的，,。为是()（）]{2,12})(?P<code>[(（](?:[A-Z]{2}|[沪深]:?)?\d{6}(?:\.[A-Z]{2})?[)）])?$")
_COMPARED = re.compile(r"(?:比|较|相比|相较|同比|环比|对比)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LETTER = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_NOT_A_NAME = re.compile(r"\d%|\d\.\d|\s")
_EXAMPLES_END = re.compile(r"等[近超逾约]?$")  # 闰土股份、海峡股份等(6只)
_ETC_BEFORE_CLASS = re.compile(r"等(?=板块|概念|行业|个股|品种)")
_LISTED_IN_LABEL = re.compile(r"(?:是|为|包括|有)([^，,是为]{1,12}(?:、[^，,、]{1,12})+)$")
_BLANK = re.compile(r"\s")
_BLANKS = re.compile(r"\s+")
_DAYS_END = re.compile(r"\d{1,2}天$")
_AND = re.compile(r"[和与及]")
_COMPARED_END = re.compile(r"(?:较|比|相比|同比|环比|相较)$")
_NEW_HIGH = re.compile(r".{0,3}(?:新高|新低)")
_DIGIT_OR_DAY = re.compile(r"\d|[今昨]")
_DIGIT = re.compile(r"\d")
_LEAD_LABEL = re.compile(r"[^：:，,。]{1,16}[：:]")
_BAR = re.compile(r"\|")


class Hit(NamedTuple):
    start: int
    end: int
    word: str
    term: Optional[str] = None  # a noun metric from [terms]
    cue: Optional[Cue] = None  # a unit-dependent cue


# ---------------------------------------------------------------- small helpers


def _ns(item) -> int:
    """Normalized start of a pipeline item (read straight from pydantic's private store: this is hot)."""
    return item.__pydantic_private__["_nstart"]


def _ne(item) -> int:
    return item.__pydantic_private__["_nend"]


def _assign(f: Figure, **fields) -> None:
    """Set fields of a figure as pydantic's __setattr__ does (no validation is configured), without its overhead."""
    f.__dict__.update(fields)
    f.__pydantic_fields_set__.update(fields)


def unit_key(f: Figure) -> str:
    if f.unit == "percent":
        return "percent"
    if f.unit in ("CNY", "USD", "HKD"):
        return "money"
    if f.unit == "other" and (f.unit_text or "").lstrip("个指数").startswith("点"):
        return "points"
    return f.unit


def resolve_cue(cue: Cue, unit: str) -> str:
    return cue.by_unit.get(unit, cue.name)


def split_spans(text: str, start: int, end: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Split text[start:end] after each delimiter match; offsets into `text`."""
    out, s = [], start
    for m in pattern.finditer(text, start, end):
        if m.end() > s:
            out.append((s, m.end()))
        s = m.end()
    if s < end:
        out.append((s, end))
    return out


def cut_after(start: int, end: int, ends: list[int]) -> list[tuple[int, int]]:
    """Split [start, end) after each delimiter, given where delimiters end (sorted): as
    `split_spans` with a pattern that `ends` holds every match of."""
    out, s = [], start
    for e in ends[bisect_right(ends, start):bisect_right(ends, end)]:
        out.append((s, e))
        s = e
    if s < end:
        out.append((s, end))
    return out


@lru_cache(maxsize=4096)
def _key_part(s: Optional[str]) -> str:
    return unicodedata.normalize("NFKC", s or "").strip().lower().replace(" ", "")


def claim_key(subject, metric, period) -> str:
    return "|".join((_key_part(subject), _key_part(metric), _key_part(period)))


_UNSEEN = object()


def subject_words(lex: Lexicon, raw: str) -> Optional[tuple[bool, str]]:
    """The words of `raw` that can name a subject (without periods, notes in brackets, lead-ins and
    trailing words), and whether `raw` ends in examples (…等); None where it cannot name one."""
    # Remove periods (2024年, 今日) so they neither block nor join the subject.
    cut = []
    last = 0
    for m in lex.period_re.finditer(raw):
        cut.append(raw[last:m.start()])
        last = m.end()
    cut.append(raw[last:])
    joined = "".join(cut)
    if joined in lex.pronouns or _COMPARED.match(joined.strip()):
        return None  # 比上年同期下降…: the base of a comparison, not the subject
    examples = _EXAMPLES_END.search(joined.rstrip()) is not None
    s = lex.peel(_PAREN.sub("", joined))
    s = _ETC_BEFORE_CLASS.sub("", s)
    if s in lex.pronouns or not s:
        return None
    return examples, s


# ---------------------------------------------------------------- the pass


class LaterSubject:
    """The subject in view after clauses with no figure, worked out when first asked for: the last
    of those clauses that names a subject wins, else the one in view before them."""

    __slots__ = ("before", "find", "_value", "_known")

    def __init__(self, before: Union[None, str, "LaterSubject"], find: Callable[[], Optional[str]]):
        self.before, self.find = before, find
        self._value: Optional[str] = None
        self._known = False

    def value(self) -> Optional[str]:
        if not self._known:
            node = self
            while True:
                if not isinstance(node, LaterSubject):
                    found = node
                    break
                if node._known:
                    found = node._value
                    break
                found = node.find()
                if found:
                    break
                node = node.before
            self._value, self._known, self.before, self.find = found, True, None, None
        return self._value


def known(subject: Union[None, str, LaterSubject]) -> Optional[str]:
    return subject.value() if isinstance(subject, LaterSubject) else subject


@dataclass
class Carry:
    """What a reader remembers while reading on."""

    _subject: Union[None, str, LaterSubject] = None  # paragraph scope
    period: Optional[str] = None  # article scope (day-level periods only)
    lead_modality: Optional[str] = None  # list item lead-in (1、媒体传言：…)
    # sentence scope
    metric: Optional[tuple[Optional[str], Optional[Cue], Optional[str]]] = None  # (term, cue, base)
    sent_periods: dict[str, str] = field(default_factory=dict)  # the last period of each kind (see note_period)

    @property
    def subject(self) -> Optional[str]:
        self._subject = known(self._subject)
        return self._subject

    @subject.setter
    def subject(self, subject: Optional[str]) -> None:
        self._subject = subject

    def take_subject(self, previous: "Carry") -> None:
        """The subject in view at the end of the previous piece of an article, still unsettled."""
        self._subject = previous._subject

    def subject_unless_named(self, find: Callable[[], Optional[str]]) -> None:
        """The subject `find()` gives, when it gives one; else the one in view."""
        self._subject = LaterSubject(self._subject, find)

    def start_sentence(self) -> None:
        self.metric, self.sent_periods = None, {}

    def note_periods(self, periods: list[tuple[str, str]]) -> None:
        for p, kind in periods:
            note_period(self.sent_periods, p, kind)
    fig_index: int = 0


@dataclass
class Attribution:
    lex: Lexicon
    state: RecapState
    company_at: dict[int, tuple[int, str]] = field(default_factory=dict)  # nstart -> (nend, name)
    company_starts: list[int] = field(default_factory=list)  # the keys of company_at, in order
    company_names: set[str] = field(default_factory=set)
    carried: Union[None, str, LaterSubject] = None  # the subject in view when a clause starts
    _valid: dict = field(default_factory=dict)
    _sentence_key: Optional[tuple[int, int]] = None
    _sentence_scan: tuple = ()
    _periods: Optional[list[re.Match]] = None  # the periods of the whole text
    _period_starts: list[int] = field(default_factory=list)
    _period_kinds: dict[tuple[int, int], str] = field(default_factory=dict)

    # ---- subjects

    def peel(self, s: str) -> str:
        return self.lex.peel(s)

    def valid_subject(self, s: str, loose: bool = False) -> bool:
        """A name, a list of names or a short noun phrase; not a verb phrase or a stray character."""
        key = (s, loose)
        if key not in self._valid:
            self._valid[key] = self._valid_subject(s, loose)
        return self._valid[key]

    def _valid_subject(self, s: str, loose: bool) -> bool:
        lex = self.lex
        if not s or len(s) > (30 if "、" in s else lex.max_len) or not _LETTER.search(s):
            return False
        if s in lex.canonical_subject or s in self.company_names:
            return True
        if lex.not_in_re.search(s) or _NOT_A_NAME.search(s):
            return False
        if s in lex.metric_words or s in lex.pronouns or s in lex.lead.words or s in lex.trail.words:
            return False
        if lex.period_re.fullmatch(s) or (len(s) == 1 and _CJK.match(s)):
            return False
        parts = [part for part in s.split("、") if part]
        if len(parts) > 1:  # a list of names: 酿酒、银行、农业
            return all(len(part) <= 10 and part not in lex.trail.words for part in parts)
        return self.noun_phrase(s, loose)

    def noun_phrase(self, s: str, loose: bool = False) -> bool:
        """A name or noun phrase, judged by jieba's tags. Unknown names come apart into odd pieces
        (蔚/nr 来/v, 中石化/j 油/n 服/v), so single characters are not held against them; function
        words are, and so are two-character verbs and localizers opening or closing the phrase."""
        lex = self.lex
        if s in lex.canonical_subject or s in self.company_names or s.endswith(lex.name_endings) or (
                len(s) > 2 and s.endswith(lex.class_endings)):
            return True
        tags = self.tags(s)
        if not tags:
            return False
        # Function words sink a phrase; a pronoun or adverb character inside an unknown name (久吾高科) does not.
        for i, (w, t) in enumerate(tags):
            inner = 0 < i < len(tags) - 1 and len(w) == 1
            if t in _NOT_NOUN and not (inner and t in ("r", "d", "ad", "vd", "e", "o", "y")):
                return False
        if len(tags) == 1 and tags[0][1] in ("vn", "v", "a", "m", "q", "f"):
            return False
        for w, t in (() if loose else (tags[0], tags[-1])):
            if t in ("v", "f") and len(w) > 1 and w not in lex.metric_words:
                return False
        return True

    def tags(self, s: str) -> list[tuple[str, str]]:
        cache = self.lex.tag_cache
        if s not in cache:
            if len(cache) > 50000:
                cache.clear()
            cache[s] = [(w.word, w.flag) for w in self.lex.pos.lcut(s, HMM=False)]
        return cache[s]

    def subject_text(self, a: int, b: int, *, topic_only: bool = False, count: bool = False) -> Optional[str]:
        """The subject named in text[a:b] (the part of a clause before its metric), or None."""
        text = self.state.text
        if b <= a:
            return None
        names = self.companies_in(a, b)
        raw = text[a:b]
        words = self.lex.subject_words.get(raw, _UNSEEN)
        if words is _UNSEEN:
            words = self.lex.subject_words[raw] = subject_words(self.lex, raw)
        if words is None:
            return None
        examples, s = words
        if examples and count and not topic_only and known(self.carried):
            return known(self.carried)  # 闰土股份、海峡股份等6只: named examples of the group already in view
        if names:
            run = self.company_run(s, names)
            if run:
                return run
        if topic_only:
            m = self.lex.subject_re.match(s)
            if m and (m.group() in self.lex.canonical_subject or self.noun_phrase(m.group())):
                return m.group()
            lst = _LISTED_IN_LABEL.search(s)
            if lst:
                return lst.group(1)
            label = ":" in text[b - 1:b + 1] or "：" in text[b - 1:b + 1] or "、" in s
            return s if label and len(s) <= (30 if "、" in s else 12) and self.valid_subject(s, loose=True) else None
        if _BLANK.search(s):  # a headline or byline before the sentence: 沪指三连阳 创业板指涨2%
            tail = _BLANKS.split(s)[-1]
            if self.valid_subject(tail):
                s = tail
        s = _DAYS_END.sub("", s)  # 西部黄金7天|4板
        if len(s) > 2 and s[:-1].endswith(self.lex.protected + self.lex.name_endings) and \
                self.tags(s[-1])[0][1] in ("v", "d", "p"):
            s = s[:-1]  # 商业航天概念股|掀涨停潮
        if "的" in s:  # 港股的珍酒李渡: the head after the last 的
            head = s.rsplit("的", 1)[1]
            if self.valid_subject(head):
                s = head
        parts = _AND.split(s)
        if len(parts) > 1 and all(len(p) >= 2 for p in parts):
            s = "、".join(parts)  # 中通客车和新华制药 -> 中通客车、新华制药
        # X的<metric> (字节跳动2024年的资本开支): a possessor is a subject even when jieba tags it oddly
        possessive = raw.rstrip().endswith("的") and self.lex.metric_re.match(text, b) is not None
        if self.valid_subject(s, loose=possessive):
            return s
        found = [m for m in self.lex.subject_re.finditer(s)
                 if m.group() in self.lex.canonical_subject or self.noun_phrase(m.group())]
        return found[-1].group() if found else None

    def companies_in(self, a: int, b: int) -> list[tuple[str, str]]:
        """(surface, canonical name) of company mentions inside text[a:b]."""
        out = []
        text, starts = self.state.text, self.company_starts
        for pos in starts[bisect_left(starts, a):bisect_left(starts, b)]:
            end, name = self.company_at[pos]
            if end <= b:
                out.append((text[pos:end], name))
        return out

    @staticmethod
    def company_run(s: str, names: list[tuple[str, str]]) -> Optional[str]:
        """Canonical names when `s` is one company or a list of them (屹唐股份、富创精密)."""
        canon = dict(names)
        parts = [p for p in _LIST_SEP.split(s) if p]
        if parts and all(p in canon for p in parts):
            return "、".join(canon[p] for p in parts)
        for surface, name in sorted(names, key=lambda x: -len(x[0])):
            if s.endswith(surface):
                return name
        return None

    # ---- metrics

    def metric_hits(self, a: int, b: int, masked) -> list[Hit]:
        """Metric words in text[a:b], except inside periods (a cue right before the figure counts:
        开盘1873.58点 is an opening level, not a time)."""
        lex, text = self.lex, self.state.text
        search, match, cue_of = lex.metric_re.search, lex.metric_re.match, lex.cue_of
        period_starts, period_ends = masked
        hits = []
        pos = a
        while (m := search(text, pos, b)) is not None:
            s, e = m.span()
            w = m.group()
            if e - s == 2:  # 黄金价格: prefer 价格 over the 金价 that starts one character earlier
                longer = match(text, s + 1, b)
                if longer and longer.end() > e and not (cue_of.get(w) or cue_of.get(longer.group())):
                    (s, e), w = longer.span(), longer.group()
            pos = e
            cue = cue_of.get(w)
            k = bisect_right(period_starts, s) - 1
            if k >= 0 and e <= period_ends[k] and not (cue and b - e <= 1):
                continue
            if len(w) == 1 and b - e > 3:  # 报 in 本报, 涨 in 涨停潮: one character counts only next to the figure
                continue
            hits.append(Hit(s, e, w, None if cue else lex.term_of[w], cue))
        return hits

    def metric_name(self, hits: list[Hit], unit: str, carried) -> tuple[Optional[str], tuple]:
        """The metric of the last of `hits` (a noun before a plain cue wins: 股价报1587元 is 股价)."""
        hit = hits[-1]
        if hit.cue and not hit.cue.compose and unit not in hit.cue.beats_terms:
            terms = [h for h in hits if h.term]
            if terms:
                hit = terms[-1]
        if unit == "board" and not (hit.term in self.lex.board_terms):
            return self.lex.defaults.get("board"), (None, None, None)
        if hit.term:
            return hit.term, (hit.term, None, None)
        cue = hit.cue
        if cue.level:
            prev = [h for h in hits if h.end <= hit.start and h.term]
            base = prev[-1].term if prev else (carried[0] if carried else None)
            return base, (base, None, None)
        name = resolve_cue(cue, unit)
        base = None
        if cue.compose:
            prev = [h for h in hits if h.end <= hit.start and h.term and hit.start - h.end <= 3]
            if prev:
                base = prev[-1].term
            elif carried and carried[0]:
                base = carried[0]
        if cue.compose:
            return (base + name if base else name), (base, None, None)
        return name, (None, cue, base)

    def cue_run(self, hits: list[Hit], start: int) -> tuple[int, int]:
        """(start, end) of the text before the run of metric words nearest the figure (股价报, 涨幅扩大至)."""
        run = len(hits) - 1
        while run > 0 and (hits[run].start - hits[run - 1].end <= 2
                           or not self.peel(self.state.text[hits[run - 1].end:hits[run].start])):
            run -= 1
        return (hits[run - 1].end if run > 0 else start), hits[run].start

    def after_metric(self, f: Figure, unit: str) -> tuple[Optional[str], int]:
        """The metric written right after the figure (2868只个股飘红), and where that cue ends."""
        m = self.lex.after_re.match(self.state.text, _ne(f))
        if not m:
            return None, _ne(f)
        a = self.lex.after_of[m.group("w")]
        return (a.name, m.end()) if not a.units or unit in a.units else (None, _ne(f))

    # ---- periods and modality

    def periods_in(self, a: int, b: int) -> list[re.Match]:
        """Periods written in the clause text[a:b], as a search of text[a:b] finds them. Taken from
        one search of the whole text: a clause ends after a delimiter no period ends with, so the
        two agree unless a period of the whole text runs across `a` or `b` (12:30 split at its colon)."""
        periods, starts = self.all_periods(), self._period_starts
        i = bisect_left(starts, a)
        if i and periods[i - 1].end() > a:
            return list(self.lex.period_re.finditer(self.state.text, a, b))
        j = bisect_left(starts, b, i)
        if j > i and periods[j - 1].end() > b:
            return list(self.lex.period_re.finditer(self.state.text, a, b))
        return periods[i:j]

    def all_periods(self) -> list[re.Match]:
        if self._periods is None:
            self._periods = list(self.lex.period_re.finditer(self.state.text))
            self._period_starts = [m.start() for m in self._periods]
        return self._periods

    def any_period(self, a: int, b: int) -> bool:
        """Whether a period of the whole text overlaps text[a:b]."""
        periods, starts = self.all_periods(), self._period_starts
        i = bisect_left(starts, a)
        return (i < len(starts) and starts[i] < b) or (i > 0 and periods[i - 1].end() > a)

    def article_day(self) -> Optional[str]:
        """The day the article is about, as first written (今日, 15日, 3月2日): figures with no period
        of their own refer to it."""
        for m in self.all_periods():
            if self.period_kind(m) == "day" and self.lex.day_re.fullmatch(m.group()):
                return m.group()
        return None

    def period_kind(self, m: re.Match) -> str:
        kind = self._period_kinds.get(m.span())
        if kind is None:
            kind = self._period_kinds[m.span()] = self._period_kind(m)
        return kind

    def _period_kind(self, m: re.Match) -> str:
        """day (今日, 15日, 2024年), span (截至11月底, 4月27日以来), intraday (早盘, 截至收盘), anaphoric
        (当日: the day already named) or reference (较上周, 创2015年以来新高: not the figure's period)."""
        text, p = self.state.text, m.group()
        if _COMPARED_END.search(text[max(0, m.start() - 2):m.start()]) or \
                _NEW_HIGH.match(text[m.end():m.end() + 6]):
            return "reference"
        if p in self.lex.anaphoric:
            return "anaphoric"
        if p in self.lex.intraday or (p.startswith(("截至", "截止")) and p.endswith(("收盘", "收市", "午盘"))
                                      and not _DIGIT_OR_DAY.search(p)):
            return "intraday"
        if p.startswith(("截至", "截止")) or p.endswith(("以来", "至今", "为止")) or "个交易日" in p:
            return "span"
        return "day"

    def modality(self, a: int, b: int) -> Optional[str]:
        return self._best_modality(self.lex.modality_re.finditer(self.state.text, a, b))

    def _best_modality(self, matches, best: int = NO_MODALITY) -> Optional[str]:
        rank_of = self.lex.modality_rank
        for m in matches:
            w = m.group("w")
            if w:
                best = min(best, rank_of[w])
        return MODALITY_ORDER[best] if best < NO_MODALITY else None

    def sentence_modality(self, ss: int, se: int, b: int) -> Optional[str]:
        """`modality(ss, b)` for a position `b` inside the sentence [ss, se), from one scan of the
        sentence: the cue words are plain literals, so the scan up to `b` finds the sentence scan's
        matches that end by `b`, then whatever a rescan of the one match that straddles `b` finds."""
        if self._sentence_key != (ss, se):
            self._sentence_key = (ss, se)
            matches = list(self.lex.modality_re.finditer(self.state.text, ss, se))
            rank_of = self.lex.modality_rank
            best, prefix = NO_MODALITY, [NO_MODALITY]
            for m in matches:
                w = m.group("w")
                if w:
                    best = min(best, rank_of[w])
                prefix.append(best)
            self._sentence_scan = (matches, [m.end() for m in matches], prefix)
        matches, ends, prefix = self._sentence_scan
        k = bisect_right(ends, b)
        if k < len(matches) and matches[k].start() < b:
            return self._best_modality(self.lex.modality_re.finditer(self.state.text, matches[k].start(), b), prefix[k])
        return MODALITY_ORDER[prefix[k]] if prefix[k] < NO_MODALITY else None


def attribute(state: RecapState, lex: Optional[Lexicon] = None) -> None:
    """Fill subject, metric, period and modality of every figure in `state.figures`.

    An article extracted in pieces can hand the reader's context from one piece to the next: set
    `state.claims_context` (the previous piece's, a Carry) before this runs; it is updated after."""
    lex = lex or lexicon()
    text = state.text
    figs = sorted(range(len(state.figures)), key=[_ns(f) for f in state.figures].__getitem__)
    att = Attribution(lex, state)
    for c in state.companies:
        for m in c.mentions:
            att.company_at[_ns(m)] = (_ne(m), c.name)
            att.company_names.add(c.name)
            att.company_names.add(m.text)
    att.company_starts = sorted(att.company_at)
    previous = getattr(state, "claims_context", None)
    carry = Carry(period=previous.period if previous and previous.period else att.article_day())
    if previous is not None:
        carry.take_subject(previous)
        carry.lead_modality = previous.lead_modality
    state.claims_context = carry
    fi = 0
    table_header: Optional[list[str]] = None
    lines = split_spans(text, 0, len(text), _NEWLINE)
    wraps, opens = [], []
    for prev, line in _with_previous(text, lines):
        wraps.append(soft_wrap(prev, line))
        opens.append(not wraps[-1] and not line.startswith("|"))
    forgotten_at = _subject_scope_ends(lines, opens)
    starts = [_ns(state.figures[i]) for i in figs] + [len(text) + 1]
    sentence_ends = [m.end() for m in _SENT_END.finditer(text)]
    comma_ends = [m.end() for m in _COMMA.finditer(text)]
    for li, (ls, le) in enumerate(lines):
        line = text[ls:le]
        if line.lstrip().startswith("|"):
            table_header, fi = table_line(att, carry, lines, li, table_header, figs, fi)
            continue
        table_header = None
        wrapped = wraps[li]
        if not wrapped:
            carry.subject = None
            carry.lead_modality = None
        marker = _LIST_MARKER.match(line)
        if marker:
            lead = _LEAD_LABEL.match(line[marker.end():])
            if lead:
                a = ls + marker.end()
                carry.lead_modality = att.modality(a, a + lead.end())
        if lex.time_re.fullmatch(line.strip()):
            carry.period = line.strip()
            continue
        if forgotten_at[li] is not None and starts[fi] >= forgotten_at[li] and not att.any_period(ls, le):
            continue  # nothing here a figure depends on
        paragraph_end = forgotten_at[li]
        sentences = cut_after(ls, le, sentence_ends)
        for si, (ss, se) in enumerate(sentences):
            if not (wrapped and si == 0):
                carry.start_sentence()
            # where a later sentence starts afresh (at the latest where the paragraph ends)
            sentence_scope_end = se if si + 1 < len(sentences) else (
                len(text) + 1 if paragraph_end is None else paragraph_end)
            if text.find(")", ss, se) < 0 and text.find("）", ss, se) < 0:
                clauses = cut_after(ss, se, comma_ends)
            else:
                clauses = split_spans(text, ss, se, _CLAUSE_END)
            for cs, ce in clauses:
                in_clause = []
                while starts[fi] < ce:
                    if starts[fi] >= cs:
                        in_clause.append(state.figures[figs[fi]])
                    fi += 1
                if in_clause or paragraph_end is None or starts[fi] < paragraph_end:
                    clause(att, carry, cs, ce, in_clause, ss, se, starts[fi] < sentence_scope_end)
                else:
                    hold_opening_day(att, carry, cs, att.periods_in(cs, ce))


def _with_previous(text: str, lines: list[tuple[int, int]]):
    """(the last non-blank line before, this line) for each line, both stripped."""
    prev = ""
    for ls, le in lines:
        stripped = text[ls:le].strip()
        yield prev, stripped
        if stripped:
            prev = stripped


def _subject_scope_ends(lines: list[tuple[int, int]], opens: list[bool]) -> list[Optional[int]]:
    """For each line, where the subject in view on it is forgotten: the start of the next line that
    opens a paragraph (None: not before the end of the text, where the context is handed on).
    A clause with no figure before that point can only change the day in force."""
    out: list[Optional[int]] = [None] * len(lines)
    end = None
    for li in range(len(lines) - 1, -1, -1):
        out[li] = end
        if opens[li]:
            end = lines[li][0]
    return out


def hold_opening_day(att: Attribution, carry: Carry, cs: int, matches) -> None:
    """A day named at the start of a clause (15日A股…, 今日…, 周五收盘时…) holds until another replaces it."""
    for m in matches:
        kind = att.period_kind(m)
        if kind == "reference":
            continue
        if kind == "day" and att.peel(att.state.text[cs:m.start()]) == "" and not m.group().startswith(
                ("截", "到", "从", "自")):
            carry.period = clean_period(m.group())
        return


def clause(att: Attribution, carry: Carry, cs: int, ce: int, figs: list[Figure], sent_start: int,
           sent_end: Optional[int] = None, sentence_reads_on: bool = True) -> None:
    """Attribute the figures of the clause text[cs:ce] and note what it tells the clauses after it.
    `sentence_reads_on`: whether a figure after it in its sentence reads the metric and periods it notes."""
    lex, text = att.lex, att.state.text
    all_periods = att.periods_in(cs, ce)
    hold_opening_day(att, carry, cs, all_periods)
    if not figs:
        if sentence_reads_on:
            clause_without_figures(att, carry, cs, ce, all_periods)
        else:
            carry.subject_unless_named(partial(clause_subject, att, cs, ce))
        return
    masked = _spans(all_periods)
    periods = [(m, kind) for m in all_periods if (kind := att.period_kind(m)) != "reference"]
    written = [(clean_period(m.group()), kind) for m, kind in periods]
    att.carried = carry._subject
    first_unit = unit_key(figs[0])
    first_hits = [h for h in att.metric_hits(cs, _ns(figs[0]), masked) if usable(h, first_unit)]
    boundary = first_hits[0].start if first_hits else _ns(figs[0])
    own_subject = att.subject_text(cs, boundary, count=first_unit == "count")
    if not first_hits and text[cs:boundary].rstrip().endswith("的"):
        own_subject = None  # 在当日交易的811只股票中: a modifier of what follows, not a subject
    if own_subject:
        carry.subject = own_subject
    distribute = "分别" in text[cs:_ns(figs[0])]
    items = [p for p in _LIST_SEP.split(carry.subject or "") if p] if distribute and not own_subject else []
    prev_end = cs
    prev_metric = None
    last = dict(carry.sent_periods)  # periods written before the figure: the sentence's so far, then the clause's
    pi = 0
    for k, f in enumerate(figs):
        unit = unit_key(f)
        hits = first_hits if k == 0 else [h for h in att.metric_hits(prev_end, _ns(f), masked) if usable(h, unit)]
        metric = None
        if hits:
            metric, carry.metric = att.metric_name(hits, unit, carry.metric)
        elif prev_metric is not None:
            metric = prev_metric
        else:
            metric, after_end = att.after_metric(f, unit)
            if metric and not own_subject:
                # 37.97亿净流入消费电子: the name after the cue
                named = att.subject_text(after_end, ce) if after_end < ce else None
                if named and text[after_end:ce].rstrip("，,。；;！？!? \n").endswith(named):
                    own_subject = named
            if metric is None and unit == "board":
                metric = lex.defaults.get(unit)
            if metric is None and carry.metric is not None:
                term, cue, base = carry.metric
                metric = term or ((base or "") + resolve_cue(cue, unit) if cue else None) or None
            if metric is None:
                metric = lex.defaults.get(unit)
        prev_metric = metric
        subject = own_subject
        if hits:
            # the name right before the cue nearest the figure: 白酒股普涨、贵州茅台涨近9%
            a, b = att.cue_run(hits, prev_end)
            if a > cs or k > 0:
                near = att.subject_text(a, b, count=unit == "count")
                subject = own_subject if near in lex.generic_subjects and own_subject else (near or own_subject)
        elif k > 0:
            near = att.subject_text(prev_end, _ns(f), count=unit == "count")
            subject = own_subject if near in lex.generic_subjects and own_subject else (near or own_subject)
        if subject is None and hits and hits[0].term in lex.implied_subjects:
            subject = lex.implied_subjects[hits[0].term]
            carry.subject = subject  # 全周涨停总数为275只，比上周增加48只: still about 涨停
        if subject is None and items and len(items) > 1:
            subject = items[k] if k < len(items) else None
        subject = subject or (None if items else carry.subject)
        if metric in lex.turnover_metrics and subject:
            market = lex.market_of_index.get(lex.canonical_subject.get(subject, subject))
            subject = market or subject  # 沪指…成交390亿元: the turnover is the Shanghai market's
        while pi < len(periods) and periods[pi][0].end() <= _ns(f):
            note_period(last, *written[pi])
            pi += 1
        hedge = (att.modality(sent_start, _ns(f)) if sent_end is None
                 else att.sentence_modality(sent_start, sent_end, _ns(f)))
        _assign(f, metric=metric, subject=subject, period=choose_period(last, carry.period),
                modality=hedge or carry.lead_modality or "fact")
        prev_end = _ne(f)
    carry.note_periods(written)


def _spans(matches: list[re.Match]) -> tuple[list[int], list[int]]:
    return [m.start() for m in matches], [m.end() for m in matches]


def clause_without_figures(att: Attribution, carry: Carry, cs: int, ce: int, all_periods: list[re.Match]) -> None:
    """What a clause with no figure tells the figures after it: a subject (unless it reports speech),
    a metric (涨43.25点，或1.14%) and periods for the rest of its sentence."""
    text = att.state.text
    hits = att.metric_hits(cs, ce, _spans(all_periods))
    if att.lex.reporting_re.search(text, cs, ce):
        return
    listed = _LISTED.search(text[cs:ce].rstrip("，,：:。；;！？!? \n"))
    if listed and att.valid_subject(listed.group(1)):
        carry.subject = listed.group(1)  # 涨幅居前的板块是酿酒、银行、农业 (…分别上涨…)
        return
    carry.subject_unless_named(partial(named_subject, att, cs, ce, hits[0].start if hits else ce, not hits))
    terms = [h for h in hits if h.term]
    if terms:
        carry.metric = (terms[-1].term, None, None)
    elif hits and not hits[-1].cue.compose:
        carry.metric = (None, hits[-1].cue, None)
    carry.note_periods([(clean_period(m.group()), kind) for m in all_periods
                        if (kind := att.period_kind(m)) != "reference"])


def clause_subject(att: Attribution, cs: int, ce: int) -> Optional[str]:
    """The subject a clause with no figure names (None where it names none or reports speech)."""
    text = att.state.text
    if att.lex.reporting_re.search(text, cs, ce):
        return None
    listed = _LISTED.search(text[cs:ce].rstrip("，,：:。；;！？!? \n"))
    if listed and att.valid_subject(listed.group(1)):
        return listed.group(1)
    hits = att.metric_hits(cs, ce, _spans(att.periods_in(cs, ce)))
    return named_subject(att, cs, ce, hits[0].start if hits else ce, not hits)


def named_subject(att: Attribution, cs: int, ce: int, end: int, topic_only: bool) -> Optional[str]:
    """The subject a clause with no figure names before `end`, or None."""
    subj = att.subject_text(cs, end, topic_only=topic_only)
    if not subj:
        # 跌幅最小的为中国通号 / 涨幅靠后的海南椰岛: the name closing the clause
        clause_text = att.state.text[cs:ce].rstrip("，,：:。；;！？!? \n")
        tail = _NAMED_TAIL.search(clause_text)
        if tail and (tail.group("is") or tail.group("code")) and not att.lex.metric_re.search(tail.group("name")) \
                and att.valid_subject(tail.group("name")):
            subj = tail.group("name")
    return subj


def soft_wrap(prev: str, line: str) -> bool:
    """Whether a line continues the sentence of the non-blank line before it (a hard-wrapped
    paragraph); both stripped."""
    return (len(prev) > 15 and prev[-1] not in "。！？!?；;：:」”)）" and not _LIST_MARKER.match(line)
            and not line.startswith("|") and not _LIST_MARKER.match(prev))


def usable(h: Hit, unit: str) -> bool:
    return bool(h.term or resolve_cue(h.cue, unit))


# ---------------------------------------------------------------- tables


def _cells(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    """Cell spans of a markdown table row (without the outer pipes)."""
    bars = [m.start() for m in _BAR.finditer(text[ls:le])]
    return [(ls + a + 1, ls + b) for a, b in zip(bars, bars[1:])]


def _clean_header(h: str) -> str:
    """A column header without its notes and percent signs: 涨幅(%) -> 涨幅. Each opening bracket
    drops the text up to the first closing one after it (one pass: a pattern would rescan an
    unclosed run from every bracket)."""
    out, i, closes = [], 0, True
    while i < len(h):
        ch = h[i]
        if ch in "(（" and closes:
            ends = [j for j in (h.find(")", i + 1), h.find("）", i + 1)) if j >= 0]
            if ends:
                i = min(ends) + 1
                continue
            closes = False  # no closing bracket after here: later openings stay too
        if ch not in "%％":
            out.append(ch)
        i += 1
    return "".join(out).strip(" *")


def _row_name(text: str, cells, header: Optional[list[str]]) -> Optional[str]:
    if header:
        for j, h in enumerate(header):
            if h in _NAME_HEADERS and j < len(cells):
                name = text[cells[j][0]:cells[j][1]].strip(" *")
                if name:
                    return name
    for a, b in cells:
        cell = text[a:b].strip(" *")
        if _CJK.search(cell) and not _DIGIT.search(cell):
            return cell
    return None


def table_line(att: Attribution, carry: Carry, lines, li: int, header, figs, fi):
    text, state = att.state.text, att.state
    ls, le = lines[li]
    row = text[ls:le].strip()
    if _TABLE_SEP.match(row.strip("|").strip()) and set(row) <= set("|-: \n\t"):
        return header, fi
    cells = _cells(text, ls, le)
    nxt = lines[li + 1] if li + 1 < len(lines) else None
    if header is None and nxt and set(text[nxt[0]:nxt[1]].strip()) <= set("|-: \n\t") and "-" in text[nxt[0]:nxt[1]]:
        return [_clean_header(text[a:b]) for a, b in cells], _skip(figs, fi, state, le)
    filled = [c for c in cells if text[c[0]:c[1]].strip()]
    name = _row_name(text, cells, header)
    group_row = len(filled) <= 1  # | 5天3板 | | | …: a heading for the rows below it
    if group_row and nxt is not None:
        name = _row_name(text, _cells(text, *nxt), header)
    while fi < len(figs) and _ns(state.figures[figs[fi]]) < le:
        f = state.figures[figs[fi]]
        fi += 1
        if _ns(f) < ls:
            continue
        col = next((j for j, (a, b) in enumerate(cells) if a <= _ns(f) < b), None)
        h = header[col] if header and col is not None and col < len(header) else None
        if group_row or not h or h in _NAME_HEADERS or h in _INDEX_HEADERS:
            h = None
        _assign(f, subject=name, metric=h or att.lex.defaults.get(unit_key(f)), period=carry.period, modality="fact")
    return header, fi


def _skip(figs, fi, state, end):
    while fi < len(figs) and _ns(state.figures[figs[fi]]) < end:
        fi += 1
    return fi


# ---------------------------------------------------------------- claims


def canonical_subject(subject: Optional[str], lex: Lexicon) -> Optional[str]:
    if not subject:
        return subject
    return lex.canonical_subject.get(subject, subject)


def _claim(**fields) -> Claim:
    """A Claim from every field's value, all of the right type (from a figure): what
    `Claim.model_construct` makes, without its field-by-field defaults and aliases."""
    claim = Claim.__new__(Claim)
    object.__setattr__(claim, "__dict__", fields)
    object.__setattr__(claim, "__pydantic_fields_set__", set(fields))
    object.__setattr__(claim, "__pydantic_extra__", None)
    object.__setattr__(claim, "__pydantic_private__", None)
    return claim


def build_claims(state: RecapState, lex: Optional[Lexicon] = None) -> list[Claim]:
    lex = lex or lexicon()
    out = []
    for i, f in enumerate(state.figures):
        key = claim_key(canonical_subject(f.subject, lex), f.metric, resolve_period(f.period, state.trading_date))
        out.append(_claim(
            key=key, subject=f.subject, metric=f.metric, period=f.period, value=f.value, low=f.low,
            high=f.high, unit=f.unit, modality=f.modality, figure=i, text=f.text, start=f.start,
            end=f.end, rule="claims.per_figure",
        ))
    return out


@register
class Claims(Component):
    name = "claims"

    def load(self) -> None:
        self.lex = lexicon()
        segmenter = getattr(self.nlp.tokenizer, "segmenter", None)
        if (isinstance(segmenter, jieba.Tokenizer) or getattr(segmenter, "tag", None)) and self.lex._pos is None:
            self.lex.use_segmenter(segmenter)

    def process(self, doc: Doc, state: RecapState) -> None:
        attribute(state, self.lex)
        state.claims = build_claims(state, self.lex)
