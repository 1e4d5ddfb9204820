"""The claims step's lexicon: metric words and cues (rules/metrics.toml), subject classes, periods
and modality cues (rules/claims.toml), compiled once; and the part-of-speech tagger it judges
subjects with."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .fast_regex import guarded, words_re
from .rules import RuleModel, alternation as _alt, load_toml
from .tokenizer import make_jieba


# ---------------------------------------------------------------- rules


class Cue(RuleModel):
    words: list[str]
    name: str
    by_unit: dict[str, str] = {}
    compose: bool = False
    level: bool = False  # 增至, 翻倍至: the figure is a new level of the base metric, not a change
    beats_terms: list[str] = []  # unit classes where this cue wins over a noun metric before it


class AfterCue(RuleModel):
    words: list[str]
    name: str
    units: list[str] = []


class MetricRules(RuleModel):
    terms: dict[str, list[str]]
    cues: list[Cue]
    after: list[AfterCue]
    implied_subjects: dict[str, str] = {}
    board_terms: list[str] = []
    turnover_metrics: list[str] = []
    defaults: dict[str, str] = {}
    not_metrics: list[str] = []  # phrases holding a metric word that name no metric (规模以上)


class Classes(RuleModel):
    suffixes: list[str]
    name_endings: list[str]


class Strip(RuleModel):
    lead: list[str]
    trail: list[str]
    pronouns: list[str]
    generic: list[str]
    reporting: list[str]
    not_in: list[str]
    max_len: int


class Periods(RuleModel):
    absolute: list[str]
    relative: list[str]
    intraday: list[str]
    anaphoric: list[str]
    days: list[str]
    before: list[str]
    after: list[str]
    standalone: list[str]
    time: str


class Modalities(RuleModel):
    rumor: list[str]
    estimate: list[str]
    forecast: list[str]
    opinion: list[str]
    not_cue: list[str]


class ClaimRules(RuleModel):
    subjects: dict[str, list[str]]
    market_of_index: dict[str, str] = {}
    classes: Classes
    strip: Strip
    periods: Periods
    modality: Modalities


class BoundedDict(dict):
    """A memo that starts afresh when it holds `size` entries."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.size:
            self.clear()
        super().__setitem__(key, value)


class Affixes:
    """The longest of a set of plain words that a string starts or ends with (as a regex alternation
    of the words anchored at the start or end finds it, with a few set lookups instead)."""

    def __init__(self, words):
        self.words = frozenset(w for w in words if w)
        self._by_first = self._lengths_by(lambda w: w[0])
        self._by_last = self._lengths_by(lambda w: w[-1])

    def _lengths_by(self, char) -> dict[str, list[int]]:
        """For each first (last) character, the lengths of the words with it, longest first."""
        out: dict[str, set[int]] = {}
        for w in self.words:
            out.setdefault(char(w), set()).add(len(w))
        return {c: sorted(lengths, reverse=True) for c, lengths in out.items()}

    def prefix(self, s: str) -> int:
        """Length of the longest word that `s` starts with (0: none)."""
        if s:
            for n in self._by_first.get(s[0], ()):
                if n <= len(s) and s[:n] in self.words:
                    return n
        return 0

    def suffix(self, s: str) -> int:
        """Length of the longest word that `s` ends with (0: none)."""
        if s:
            for n in self._by_last.get(s[-1], ()):
                if n <= len(s) and s[-n:] in self.words:
                    return n
        return 0


# The marker opening a list item: 1、 2. 一、 (3) ④ a.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[、.．](?!\d)|[一二三四五六七八九十]{1,3}[、.．]|[(（]\d{1,2}[)）]|[①-⑳]|[a-z][.、])\s*")
_PEEL_CHARS = " \t\u3000、,，.。:：;；\"'“”‘’|*#-—>"
_LEAD_MARKS = ("龙头", "龙一", "领涨股", "其中")
_LABEL = re.compile(r"(?:【[^【】\n]{1,10}】|\[[^\[\]\n]{1,10}\])")

MODALITY_ORDER = ("rumor", "estimate", "forecast", "opinion")
NO_MODALITY = len(MODALITY_ORDER)  # the rank of no modality cue


class Lexicon:
    """Every pattern the attribution needs, compiled once from the rules files."""

    def __init__(self, m: MetricRules, c: ClaimRules):
        self.rules = c
        self._pos = None
        self.tag_cache: dict[str, list[tuple[str, str]]] = {}
        self.max_len = c.strip.max_len
        self.term_of: dict[str, str] = {}
        for name, aliases in m.terms.items():
            for w in (name, *aliases):
                self.term_of.setdefault(w, name)
        self.cue_of: dict[str, Cue] = {w: cue for cue in m.cues for w in cue.words}
        self.not_metric = frozenset(m.not_metrics)
        self.metric_re = re.compile(words_re([*self.term_of, *self.cue_of, *self.not_metric]))
        gap = r"(?:个股|股票|只股票|家公司|公司|股|只|家)?(?:均|全部|集体|纷纷)?"
        self.after_of = {w: a for a in m.after for w in a.words}
        self.after_re = re.compile(rf"\s?{gap}(?P<w>{_alt(self.after_of)})")
        self.defaults = m.defaults
        self.implied_subjects = m.implied_subjects
        self.board_terms = set(m.board_terms)
        self.metric_words = set(self.term_of) | set(self.cue_of)

        self.canonical_subject = {w: name for name, aliases in c.subjects.items() for w in (name, *aliases)}
        cls = _alt(c.classes.suffixes)
        self.subject_re = re.compile(
            rf"(?:{_alt(self.canonical_subject)})|[A-Za-z0-9\u4e00-\u9fff]{{1,10}}?(?:{cls})")
        self.lead_re = re.compile(rf"^(?:{_alt(c.strip.lead)})")
        self.trail_re = re.compile(rf"(?:{_alt(c.strip.trail)})$")
        self.reporting_re = re.compile(rf"(?:{_alt(c.strip.reporting)})\s*$")
        self.not_in = tuple(c.strip.not_in)
        self.not_in_re = re.compile(words_re(self.not_in))
        self.pronouns = set(c.strip.pronouns)
        self.generic_subjects = set(c.strip.generic)
        self.market_of_index = c.market_of_index
        self.turnover_metrics = set(m.turnover_metrics)
        self.protected = tuple(c.classes.suffixes)
        self.lead = Affixes(c.strip.lead)
        self.trail = Affixes(c.strip.trail)
        self.protected_end = Affixes(self.protected)
        self._peeled: dict[str, str] = BoundedDict(50000)
        self.subject_words: dict[str, object] = BoundedDict(50000)  # claims.subject_words of a text
        self.name_endings = tuple(c.classes.name_endings)
        self.class_or_name_endings = self.protected + self.name_endings
        self.class_endings = tuple(x for x in c.classes.suffixes if len(x) > 1)

        p = c.periods
        year = r"(?<!\d)(?:19|20)\d{2}"
        absolute = "|".join(f"(?:{a.replace('{y}', year)})" for a in p.absolute)
        core = f"(?:{absolute}|{words_re([*p.relative, *p.anaphoric, *p.intraday])})"
        self.period_re = guarded(re.compile(
            rf"{words_re(p.standalone)}|(?:(?:{words_re(p.before)})\s?)?{core}(?:{words_re(p.after)})?|{p.time}"))
        self.time_re = re.compile(p.time)
        self.intraday = set(p.intraday)
        self.anaphoric = set(p.anaphoric)
        self.day_re = re.compile(rf"{_alt(p.days)}|(?:{year}-)?\d{{1,2}}-\d{{1,2}}|(?:{year}年)?(?:\d{{1,2}}月)?\d{{1,2}}[日号]")

        mo = c.modality
        self.modality_of = {w: k for k in reversed(MODALITY_ORDER) for w in getattr(mo, k)}
        self.modality_rank = {w: MODALITY_ORDER.index(k) for w, k in self.modality_of.items()}
        self.modality_re = guarded(re.compile(rf"(?P<no>{words_re(mo.not_cue)})|(?P<w>{words_re(self.modality_of)})"))

    def names_metric(self, s: str) -> bool:
        return any(m.group() not in self.not_metric for m in self.metric_re.finditer(s))

    def metric_starts(self, text: str, pos: int) -> bool:
        m = self.metric_re.match(text, pos)
        return m is not None and m.group() not in self.not_metric

    def peel(self, s: str) -> str:
        """`s` without a list marker and the lead-in and trailing words that are never a subject."""
        peeled = self._peeled.get(s)
        if peeled is None:
            peeled = self._peeled[s] = self._peel(s)
        return peeled

    def _peel(self, s: str) -> str:
        m = LIST_MARKER.match(s)
        if m:
            s = s[m.end():]
        stripped = s.lstrip()
        m = _LABEL.match(stripped)
        if m and m.end() < len(stripped):
            s = stripped[m.end():]  # 【收评】沪指…
        if "\n" in s.strip():
            return self._peel_by_patterns(s)
        for _ in range(12):
            before = s
            s = s.strip().strip(_PEEL_CHARS)
            n = self.lead.prefix(s)
            if n and n < len(s):
                s = s[n:]
            n = self.trail.suffix(s)
            if n and n < len(s) and self.protected_end.suffix(s) <= n:
                s = s[:-n]
            if s == before:
                break
        return self._after_lead_marks(s)

    def _peel_by_patterns(self, s: str) -> str:
        """The same peeling for text with an inner line break (where `$` matches before it too)."""
        for _ in range(12):
            before = s
            s = s.strip().strip(_PEEL_CHARS)
            m = self.lead_re.match(s)
            if m and m.end() < len(s):
                s = s[m.end():]
            m = self.trail_re.search(s)
            if m and m.start() > 0 and not any(
                    s.endswith(p) and len(p) > len(m.group()) for p in self.protected):
                s = s[:m.start()]
            if s == before:
                break
        return self._after_lead_marks(s)

    @staticmethod
    def _after_lead_marks(s: str) -> str:
        for mark in _LEAD_MARKS:
            i = s.rfind(mark)
            if 0 <= i and i + len(mark) < len(s):
                s = s[i + len(mark):]
        return s.strip(" 、,，")

    @property
    def pos(self):
        """jieba's part-of-speech tagger over the pipeline's private segmenter (or a fresh private one)."""
        if self._pos is None:
            self.use_segmenter(make_jieba())
        return self._pos

    def use_segmenter(self, segmenter) -> None:
        """Tag with the pipeline's segmenter: its built-in tagger, or jieba's posseg over it."""
        if getattr(segmenter, "tag", None) is not None:
            self._pos = _BuiltinTagger(segmenter.tag)
        else:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(segmenter)
        self.tag_cache.clear()


class _BuiltinTagger:
    """jieba.posseg's `lcut` interface over a segmenter's own tagger (rjieba's, same dictionary)."""

    def __init__(self, tag):
        self._tag = tag

    def lcut(self, text: str, HMM: bool = False) -> list["_Pair"]:
        return [_Pair(w, f) for w, f in self._tag(text)]


class _Pair(NamedTuple):
    word: str
    flag: str


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(load_toml("metrics.toml", MetricRules), load_toml("claims.toml", ClaimRules))
