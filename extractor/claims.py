"""Claims: what each figure is about (subject), what it measures (metric), for when (period) and
how sure the writer is (modality); then one claim per figure with a stable key.

One linear pass over the article's lines, sentences and clauses carries context forward the way a
reader does: a clause with no subject of its own is about the last one named in the paragraph, a
clause with no metric continues the previous clause's (涨43.25点，或1.14%), a date at the start of
a clause holds until another replaces it. Markdown tables take the metric from the column header
and the subject from the row's name cell (claims_tables.py). What the reader remembers is in
claims_context.py, what it looks up in the text in claims_attribution.py. Lexicons live in
rules/metrics.toml and rules/claims.toml (compiled in claims_lexicon.py); periods as dates in
claims_periods.py.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache, partial
from typing import Optional

import jieba
from spacy.tokens import Doc

from .claims_attribution import LIST_SEP, Attribution, Hit, assign, nend, nstart, resolve_cue, unit_key
from .claims_context import Carry
from .claims_lexicon import LIST_MARKER, Lexicon, lexicon
from .claims_periods import choose_period, clean_period, note_period, resolve_period
from .claims_tables import table_line
from .component import Component, register
from .models import Claim, Figure
from .state import RecapState, construct

__all__ = ["Claims", "attribute", "build_claims", "claim_key", "lexicon", "resolve_period"]

_COMMA = re.compile(r"[，,：:]")
_CLAUSE_END = re.compile(r"[，,：:](?![^（(）)]{0,30}[)）])")  # not inside (沪：600519)
_SENT_END = re.compile(r"[。！？!?；;]")
_NEWLINE = re.compile(r"\n")
_LISTED = re.compile(r"(?:是|为|包括|有)([^，,：:。是为]{1,12}(?:、[^，,：:。、]{1,12})+)$")
# 最高的为沃尔德 / 涨幅靠后的海南椰岛(SH600238): a stock named at the end of a clause
_NAMED_TAIL = re.compile(
    r"的(?P<is>为|是)?(?P<name>[^的，,。为是()（）]{2,12})(?P<code>[(（](?:[A-Z]{2}|[沪深]:?)?\d{6}(?:\.[A-Z]{2})?[)）])?$")
_LEAD_LABEL = re.compile(r"[^：:，,。]{1,16}[：:]")


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


# ---------------------------------------------------------------- the pass


def attribute(state: RecapState, lex: Optional[Lexicon] = None) -> None:
    """Fill subject, metric, period and modality of every figure in `state.figures`.

    An article extracted in pieces can hand the reader's context from one piece to the next: set
    `state.claims_context` (the previous piece's, a Carry) before this runs; it is updated after."""
    lex = lex or lexicon()
    text = state.text
    figs = sorted(range(len(state.figures)), key=[nstart(f) for f in state.figures].__getitem__)
    att = Attribution(lex, state)
    for c in state.companies:
        for m in c.mentions:
            att.company_at[nstart(m)] = (nend(m), c.name)
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
    starts = [nstart(state.figures[i]) for i in figs] + [len(text) + 1]
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
        marker = LIST_MARKER.match(line)
        if marker:
            lead = _LEAD_LABEL.match(line[marker.end():])
            if lead:
                a = ls + marker.end()
                carry.lead_modality = att.modality(a, a + lead.end())
        if lex.time_re.fullmatch(line.strip()):
            carry.period = line.strip()
            continue
        dated = att.any_period(ls, le)
        if forgotten_at[li] is not None and starts[fi] >= forgotten_at[li] and not dated:
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
                elif dated:
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


_CLOSE_OF_DAY = re.compile(r"(?:截至|截止)(.+?)(?:收盘|收市)")


def hold_opening_day(att: Attribution, carry: Carry, cs: int, matches) -> None:
    """A day named at the start of a clause (15日A股…, 今日…, 周五收盘时…, 截至今日收盘…) holds until
    another replaces it."""
    for m in matches:
        kind = att.period_kind(m)
        if kind == "reference":
            continue
        before = att.peel(att.state.text[cs:m.start()])
        if before.endswith("(") and (before == "(" or att.lex.period_re.fullmatch(before[:-1])):
            before = ""  # 今日(9月26日)
        if before != "":
            return
        if kind == "day" and not m.group().startswith(("截", "到", "从", "自")):
            if att.yesterday_against_today(m):
                return  # 昨日我讲了…，而今日就见证了…: the day is still today
            carry.period = clean_period(m.group())
        elif kind == "span":
            close = _CLOSE_OF_DAY.fullmatch(m.group())  # 截至今日收盘: the day named holds
            if close and att.lex.day_re.fullmatch(close.group(1)):
                carry.period = close.group(1)
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
    first_hits = [h for h in att.metric_hits(cs, nstart(figs[0]), masked) if usable(h, first_unit)]
    boundary = first_hits[0].start if first_hits else nstart(figs[0])
    own_subject = att.subject_text(cs, boundary, count=first_unit == "count")
    if not first_hits and text[cs:boundary].rstrip().endswith("的"):
        own_subject = None  # 在当日交易的811只股票中: a modifier of what follows, not a subject
    if own_subject:
        carry.subject = own_subject
    distribute = text.find("分别", cs, nstart(figs[0])) >= 0
    items = [p for p in LIST_SEP.split(carry.subject or "") if p] if distribute and not own_subject else []
    prev_end = cs
    prev_metric = None
    last = dict(carry.sent_periods)  # periods written before the figure: the sentence's so far, then the clause's
    pi = 0
    for k, f in enumerate(figs):
        unit = first_unit if k == 0 else unit_key(f)
        hits = first_hits if k == 0 else [h for h in att.metric_hits(prev_end, nstart(f), masked) if usable(h, unit)]
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
            near = att.subject_text(prev_end, nstart(f), count=unit == "count")
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
        while pi < len(periods) and periods[pi][0].end() <= nstart(f):
            note_period(last, *written[pi])
            pi += 1
        hedge = (att.modality(sent_start, nstart(f)) if sent_end is None
                 else att.sentence_modality(sent_start, sent_end, nstart(f)))
        assign(f, metric=metric, subject=subject, period=choose_period(last, carry.period),
                modality=hedge or carry.lead_modality or "fact")
        prev_end = nend(f)
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
    listed = listed_names(att, cs, ce)
    if listed:
        carry.subject = listed
        return
    carry.subject_unless_named(partial(named_subject, att, cs, ce, hits[0].start if hits else ce, not hits))
    terms = [h for h in hits if h.term]
    if terms:
        carry.metric = (terms[-1].term, None, None)
    elif hits and not hits[-1].cue.compose:
        carry.metric = (None, hits[-1].cue, None)
    carry.note_periods([(clean_period(m.group()), kind) for m in all_periods
                        if (kind := att.period_kind(m)) != "reference"])


def listed_names(att: Attribution, cs: int, ce: int) -> Optional[str]:
    """The names a clause ends listing (涨幅居前的板块是酿酒、银行、农业, …分别上涨…), or None."""
    text = att.state.text
    if text.find("、", cs, ce) < 0:
        return None
    listed = _LISTED.search(text[cs:ce].rstrip("，,：:。；;！？!? \n"))
    return listed.group(1) if listed and att.valid_subject(listed.group(1)) else None


def clause_subject(att: Attribution, cs: int, ce: int) -> Optional[str]:
    """The subject a clause with no figure names (None where it names none or reports speech)."""
    text = att.state.text
    if att.lex.reporting_re.search(text, cs, ce):
        return None
    listed = listed_names(att, cs, ce)
    if listed:
        return listed
    hits = att.metric_hits(cs, ce, _spans(att.periods_in(cs, ce)))
    return named_subject(att, cs, ce, hits[0].start if hits else ce, not hits)


def named_subject(att: Attribution, cs: int, ce: int, end: int, topic_only: bool) -> Optional[str]:
    """The subject a clause with no figure names before `end`, or None."""
    subj = att.subject_text(cs, end, topic_only=topic_only)
    if not subj:
        # 跌幅最小的为中国通号 / 涨幅靠后的海南椰岛: the name closing the clause
        clause_text = att.state.text[cs:ce].rstrip("，,：:。；;！？!? \n")
        tail = _NAMED_TAIL.search(clause_text)
        if tail and (tail.group("is") or tail.group("code")) and not att.lex.names_metric(tail.group("name")) \
                and att.valid_subject(tail.group("name")):
            subj = tail.group("name")
    return subj


def soft_wrap(prev: str, line: str) -> bool:
    """Whether a line continues the sentence of the non-blank line before it (a hard-wrapped
    paragraph); both stripped."""
    return (len(prev) > 15 and prev[-1] not in "。！？!?；;：:」”)）" and not LIST_MARKER.match(line)
            and not line.startswith("|") and not LIST_MARKER.match(prev))


def usable(h: Hit, unit: str) -> bool:
    return bool(h.term or resolve_cue(h.cue, unit))


# ---------------------------------------------------------------- claims


def canonical_subject(subject: Optional[str], lex: Lexicon) -> Optional[str]:
    if not subject:
        return subject
    return lex.canonical_subject.get(subject, subject)




def board_subjects(state: RecapState) -> None:
    """A board count with no subject of its own is about the stocks the boards layer gave it
    (6板：甲科技、乙股份)."""
    owners: dict[tuple[int, int], list[str]] = {}
    for b in state.boards:
        owners.setdefault((b.start, b.end), []).append(b.company)
    if not owners:
        return
    for f in state.figures:
        if f.unit != "board" or f.subject is not None:
            continue
        names = [name for (s, e), found in owners.items() if s <= f.start and f.end <= e for name in found]
        if names:
            assign(f, subject="、".join(dict.fromkeys(names)))


def build_claims(state: RecapState, lex: Optional[Lexicon] = None) -> list[Claim]:
    lex = lex or lexicon()
    out, day = [], state.trading_date
    for i, f in enumerate(state.figures):
        key = claim_key(canonical_subject(f.subject, lex), f.metric, resolve_period(f.period, day))
        out.append(construct(Claim, dict(
            key=key, subject=f.subject, metric=f.metric, period=f.period, value=f.value, low=f.low,
            high=f.high, unit=f.unit, modality=f.modality, figure=i, text=f.text, start=f.start,
            end=f.end, rule="claims.per_figure",
        )))
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
        board_subjects(state)
        state.claims = build_claims(state, self.lex)
