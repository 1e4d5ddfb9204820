"""What the claims reader looks up in the text (claims.py): the subject named in a stretch of it,
the metric words before a figure, the periods written in a clause and how sure the writer is."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Union

from .claims_context import LaterSubject, known
from .claims_lexicon import MODALITY_ORDER, NO_MODALITY, Cue, Lexicon
from .models import Figure
from .state import RecapState

LIST_SEP = re.compile(r"[、/和与及跟]")
_PAREN = re.compile(r"[(（][^()（）]{0,24}[)）]|[(（][^()（）]*$")
_NOT_NOUN = {"d", "p", "c", "u", "uj", "ul", "uv", "uz", "ug", "ud", "y", "e", "o", "r", "vd", "ad"}
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
_DATELINE = re.compile(r"(?:电|讯|专讯|消息)")
_TODAY = ("今日", "今天")
_YESTERDAY = ("昨日", "昨天")
_TODAY_LATER = re.compile(r"[^。；;！？!?\n]{0,120}?(?:今日|今天)")  # later in the same sentence
_DIGIT_OR_DAY = re.compile(r"\d|[今昨]")


class Hit(NamedTuple):
    start: int
    end: int
    word: str
    term: Optional[str] = None  # a noun metric from [terms]
    cue: Optional[Cue] = None  # a unit-dependent cue


def nstart(item) -> int:
    """Normalized start of a pipeline item (read straight from pydantic's private store: this is hot)."""
    return item.__pydantic_private__["_nstart"]


def nend(item) -> int:
    return item.__pydantic_private__["_nend"]


def assign(f: Figure, **fields) -> None:
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


_SAID_HEAD = re.compile(r"[^，,、]{0,8}?(?:预计|预测|预期|认为|表示|指出|透露|声称|宣称|显示|披露)")
_THEME_AFTER = re.compile(r"(?:概念|板块|题材|产业链|供应链|链|相关|系)")
_PREDICATE_START = frozenset(("d", "v", "vd", "vn", "ad", "p", "c", "t"))
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
    examples = "等" in joined and _EXAMPLES_END.search(joined.rstrip()) is not None
    s = lex.peel(_PAREN.sub("", joined) if "(" in joined or "（" in joined else joined)
    if "等" in s:
        s = _ETC_BEFORE_CLASS.sub("", s)
    if s in lex.pronouns or not s:
        return None
    return examples, s


@dataclass
class Attribution:
    lex: Lexicon
    state: RecapState
    company_at: dict[int, tuple[int, str]] = field(default_factory=dict)  # nstart -> (nend, name)
    company_starts: list[int] = field(default_factory=list)  # the keys of company_at, in order
    company_names: set[str] = field(default_factory=set)
    carried: Union[None, str, LaterSubject] = None  # the subject in view when a clause starts
    _valid: dict = field(default_factory=dict)
    _named: dict = field(default_factory=dict)  # (words, topic only, label or possessive) -> subject
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
        if words is None and names and raw.lstrip().startswith(names[0][0]):
            # 比亚迪跌…: a name that starts like 比 (than), taken as written (peeling would drop its 比)
            words = (False, raw.strip())
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
            label = ":" in text[b - 1:b + 1] or "：" in text[b - 1:b + 1]
            key = (s, True, label)
        else:
            # X的<metric> (字节跳动2024年的资本开支): a possessor is a subject even when jieba tags it oddly
            possessive = raw.rstrip().endswith("的") and self.lex.metric_starts(text, b)
            key = (s, False, possessive)
        if key not in self._named:
            self._named[key] = self._topic(s, label) if topic_only else self._subject_of(s, possessive)
        return self._named[key]

    def _topic(self, s: str, label: bool) -> Optional[str]:
        """The topic a clause with no metric names (板块方面：…, 涨幅居前的是…, 宁德时代发布公告)."""
        head = self._leading_companies(s)
        if head:
            return head  # a company or companies, then what they did
        m = self.lex.subject_re.match(s)
        if m and (m.group() in self.lex.canonical_subject or self.noun_phrase(m.group())):
            return m.group()
        lst = _LISTED_IN_LABEL.search(s)
        if lst:
            return lst.group(1)
        label = label or "、" in s
        return s if label and len(s) <= (30 if "、" in s else 12) and self.valid_subject(s, loose=True) else None

    def _subject_of(self, s: str, possessive: bool) -> Optional[str]:
        """The subject the words `s` before a metric name."""
        if _BLANK.search(s):  # a headline or byline before the sentence: 沪指三连阳 创业板指涨2%
            tail = _BLANKS.split(s)[-1]
            if self.valid_subject(tail):
                s = tail
        s = _DAYS_END.sub("", s)  # 西部黄金7天|4板
        if len(s) > 2 and s not in self.lex.canonical_subject and s[:-1].endswith(self.lex.class_or_name_endings) and \
                self.tags(s[-1])[0][1] in ("v", "d", "p"):
            s = s[:-1]  # 商业航天概念股|掀涨停潮
        if "的" in s:  # 港股的珍酒李渡: the head after the last 的
            head = s.rsplit("的", 1)[1]
            if self.valid_subject(head):
                s = head
        parts = _AND.split(s)
        if len(parts) > 1 and all(len(p) >= 2 for p in parts):
            s = "、".join(parts)  # 中通客车和新华制药 -> 中通客车、新华制药
        said = _SAID_HEAD.match(s)
        if said and said.end() < len(s):
            s = s[said.end():]  # 机构预计|AI服务器, 我们认为|行业: who says it is not what it is about
        s = self._without_predicate(s)
        if self.valid_subject(s, loose=possessive):
            return s
        found = [m for m in self.lex.subject_re.finditer(s)
                 if m.group() in self.lex.canonical_subject or self.noun_phrase(m.group())]
        return found[-1].group() if found else None

    def _without_predicate(self, s: str) -> str:
        """A known subject, or a list of companies, followed by a predicate (创业板更弹, 昆仑万维获资金
        加仓, 甲公司、乙公司均走出): the subject."""
        known = self.lex.canonical_subject
        if s in known or self._companies(s):
            return s
        for k in range(len(s) - 1, 1, -1):
            head = s[:k]
            if head in known or self._companies(head):
                tail = self.tags(s[k:])
                if tail and tail[0][1] in _PREDICATE_START:
                    return head
                break
        return s

    def _leading_companies(self, s: str) -> Optional[str]:
        """The company, or list of companies, a clause opens with (宁德时代发布公告), unless the
        words after make it a theme (宁德时代概念) or the clause reports what someone says."""
        if self.lex.reporting_re.search(s):
            return None  # 某研究院分析师预测: a source, not what the figures are about
        for k in range(len(s), 1, -1):
            if self._companies(s[:k]):
                return None if _THEME_AFTER.match(s, k) else s[:k]
        return None

    def _companies(self, s: str) -> bool:
        """`s` is a company named in the article, or a list of them (甲公司、乙公司)."""
        companies = self.company_names
        return s in companies or ("、" in s and all(part in companies for part in s.split("、")))

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
        parts = [p for p in LIST_SEP.split(s) if p]
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
            if w in lex.not_metric:
                continue
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
        m = self.lex.after_re.match(self.state.text, nend(f))
        if not m:
            return None, nend(f)
        a = self.lex.after_of[m.group("w")]
        return (a.name, m.end()) if not a.units or unit in a.units else (None, nend(f))

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
            text = self.state.text
            found = list(self.lex.period_re.finditer(text))
            # 今日(9月26日), 近3个交易日(9月24日—26日): the date in brackets names the period
            self._periods = [m for m, after in zip(found, found[1:] + [None])
                             if not (after and after.start() == m.end() + 1 and text[m.end()] == "("
                                     and text[after.end():after.end() + 1] == ")")]
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
        dateline = None
        text, periods = self.state.text, self.all_periods()
        for m in periods:
            if self.period_kind(m) == "day" and self.lex.day_re.fullmatch(m.group()):
                if dateline is None and _DATELINE.match(text, m.end()):
                    dateline = m.group()  # 台北22日电: the text may name the same day as it writes it (今天)
                    continue
                if self.yesterday_against_today(m):
                    continue  # 昨日6连板今日跌停: yesterday set against the day the article is about
                if dateline is None or m.group() in _TODAY:
                    return m.group()
                break
        return dateline

    def yesterday_against_today(self, m: re.Match) -> bool:
        """昨日 with 今日 later in its sentence (昨日6连板今日跌停): a contrast, not the day in force."""
        return m.group() in _YESTERDAY and _TODAY_LATER.match(self.state.text, m.end()) is not None

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
