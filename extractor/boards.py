"""Board ladder: named stocks with their limit-up streak (友好集团7板, 麦格米特4天2板, 首板).

A streak is found right after a number of the numbers layer (7板, 七连板, 4天2板, 3进4, 连续5个涨停,
11天内收获6个涨停板; patterns in `rules/boards.toml`), then its stock is looked for:

1. before it, past filler words (国芳集团 晋级 7连板, 锋龙股份(002931)以14连板), and back along a
   list (中国核建、安泰科技2连板);
2. after it when nothing before is a name (18连板锋龙股份, 最高空间为4连板的科隆股份);
3. in ladder lists and tables (5板：友好集团、中百集团; a `| 5天3板 |` row above stock rows).

A name is a company the companies step found there, else one `companies.resolve()` knows, else
a run of 3-6 characters shaped like a stock name that holds none of the stop words in the rules
(高度, 空间, 连板股, 大消费 …). Names are given canonical when resolved, else as written (Simplified).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from spacy.tokens import Doc

from . import companies
from .component import Component, register
from .market import View, article_view, sentence_start
from .models import Board
from .numbers import chinese_value
from .fast_regex import any_of
from .rules import RuleModel, alternation as _alt, load_toml
from .state import RecapState, add_span, offsets


class NameRules(RuleModel):
    filler: str
    verbs: str
    lead: list[str]
    trail: list[str]
    stop_parts: list[str]
    stop_words: list[str]
    suffixes: list[str]
    min_len: int
    max_len: int


class StatusRules(RuleModel):
    promoted: str
    broken: str
    ended: str
    attempt: str
    failed: str


class BoardRules(RuleModel):
    pieces: dict[str, str]
    patterns: dict[str, str]
    words: dict[str, int]
    names: NameRules
    status: StatusRules


def _expand(pattern: str, pieces: dict[str, str], depth: int = 0) -> str:
    return re.sub(r"\{([a-z_]+)\}",
                  lambda m: _expand(pieces[m.group(1)], pieces, depth + 1) if m.group(1) in pieces and depth < 8
                  else m.group(), pattern)


class Grammar:
    def __init__(self, r: BoardRules):
        self.r = r
        x = lambda s: re.compile(_expand(s, r.pieces))  # noqa: E731
        p = r.patterns
        self.streak, self.days_first, self.promote = x(p["streak"]), x(p["days_first"]), x(p["promote"])
        self.within = x(p["within"])
        self.consecutive_before, self.consecutive_after = x(p["consecutive_before"]), x(p["consecutive_after"])
        self.tally_before, self.tally_after, self.tally_days = x(p["tally_before"]), x(p["tally_after"]), x(p["tally_days"])
        # Every streak reading needs one of these right after its number.
        after_number = (self.streak, self.days_first, self.promote, self.within, self.consecutive_after, self.tally_after)
        self.any_after_number = any_of(after_number)
        words = _alt(r.words)
        self.words = re.compile(_expand(f"(?:{words}){{board_end}}", r.pieces))
        n = r.names
        self.filler = re.compile(rf"(?:{n.filler})$")
        self.run_before = re.compile(r"[\u4e00-\u9fffA-Za-z*]+$")
        self.run_after = re.compile(r"[\u4e00-\u9fffA-Za-z*]+")
        self.lead, self.trail, self.suffix = re.compile(_alt(n.lead)), re.compile(_alt(n.trail)), re.compile(_alt(n.suffixes))
        self.stop_parts = re.compile("|".join(map(re.escape, n.stop_parts)))
        self.stop_words = set(n.stop_words)
        s = r.status
        self.promoted = re.compile(s.promoted)
        # Matched where a mention ends, from the start of any blanks before it (`status_at`): anchored
        # that way, a search over a long run of blanks does not retry the run from every position.
        self.broken, self.ended, self.failed = (re.compile(rf"(?<!\s)(?:{_expand(v, r.pieces)})")
                                                for v in (s.broken, s.ended, s.failed))
        self.attempt = re.compile(s.attempt)
        self.verb = re.compile(n.verbs)
        self.list_sep = re.compile(r"(?:、|/|和|与|及|以及)\s*$")
        self.ladder_open = re.compile(r"(?:^|\n)[ \t\u3000]*[【\[(（]?[ \t\u3000]*$")
        # matched from the start of the blanks before a count (`ladder_close_at`)
        self.ladder_close = re.compile(r"(?<![ \t\u3000])[ \t\u3000]*(?:[】\]）)][ \t\u3000]*[:：]?|[:：])[ \t\u3000]*")


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    return Grammar(load_toml("boards.toml", BoardRules))


def _small_int(s: str) -> Optional[int]:
    if s.isdigit():
        return int(s)
    v = chinese_value(s)
    return int(v) if v is not None else None


@dataclass
class Hit:
    start: int
    end: int
    boards: int
    days: Optional[int]
    rule: str
    status: Optional[str] = None


def find_hits(text: str, numbers, g: Grammar) -> list[Hit]:
    hits: list[Hit] = []
    for n in numbers:
        if n.kind != "number" or n.value is None or n.scale_text or n.is_range or not 1 <= n.value <= 60:
            continue
        if not float(n.value).is_integer():
            continue
        v = int(n.value)
        tail = text[n.end:n.end + 40]
        if not g.any_after_number.match(tail):
            continue
        if (m := g.streak.match(tail)) and v <= 40:
            hits.append(Hit(n.start, n.end + m.end(), v, None, "board.streak"))
        if (m := g.days_first.match(tail)) and (b := _small_int(m.group("n"))) and 1 <= b <= v:
            hits.append(Hit(n.start, n.end + m.end(), b, v, "board.days"))
        if (m := g.promote.match(tail)) and _small_int(m.group("n")) == v + 1:
            failed = bool(m.group("fail"))
            hits.append(Hit(n.start, n.end + m.end(), v if failed else v + 1, None, "board.promote",
                            "broken" if failed else "promoted"))
        if (m := g.within.match(tail)) and (b := _small_int(m.group("n"))) and 1 <= b <= v:
            hits.append(Hit(n.start, n.end + m.end(), b, v, "board.within_days"))
        if (m := g.consecutive_after.match(tail)) and v <= 40:
            b = g.consecutive_before.search(text, max(0, n.start - 8), n.start)
            if b:
                hits.append(Hit(b.start(), n.end + m.end(), v, None, "board.consecutive"))
        if (m := g.tally_after.match(tail)) and (b := g.tally_before.search(text, max(0, n.start - 6), n.start)):
            s0 = sentence_start(text, n.start)
            days = [int(d.group("d")) for d in g.tally_days.finditer(text, s0, b.start())]
            if days and days[-1] >= v:
                hits.append(Hit(b.start(), n.end + m.end(), v, days[-1], "board.tally_in_days"))
    for m in g.words.finditer(text):
        word = m.group().rstrip()
        hits.append(Hit(m.start(), m.start() + len(word), g.r.words[word], None, "board.word"))
    # keep the widest reading of a span (4天2板 over its 2板): every kept hit starts at or before
    # this one, so it is inside one of them when it ends at or before the furthest end
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[Hit] = []
    furthest = -1
    for h in hits:
        if h.end <= furthest:
            continue
        out.append(h)
        furthest = max(furthest, h.end)
    return out


def _blanks_start(text: str, pos: int, blank=str.isspace) -> int:
    """Where the run of blanks that ends at `pos` starts (`pos` itself when there is none)."""
    while pos > 0 and blank(text[pos - 1]):
        pos -= 1
    return pos


def _inline_blank(ch: str) -> bool:
    return ch in " \t\u3000"


def ladder_close_at(text: str, pos: int, g: Grammar) -> Optional[re.Match]:
    """The bracket or colon closing a ladder heading right after `pos` (5板：, 【3板】)."""
    return g.ladder_close.match(text, _blanks_start(text, pos, _inline_blank))


def status_at(text: str, pos: int, g: Grammar) -> Optional[str]:
    """broken (炸板) or ended (断板) when written right after a mention ending at `pos`."""
    pos = _blanks_start(text, pos)
    if g.broken.match(text, pos):
        return "broken"
    if g.ended.match(text, pos):
        return "ended"
    return None


@dataclass
class Name:
    name: str
    code: Optional[str]
    start: int
    end: int


class _Namer:
    def __init__(self, state: RecapState, view: View, g: Grammar):
        self.text, self.g, self.view = view.text, g, view
        self.by_end: dict[int, tuple] = {}
        self.by_start: dict[int, tuple] = {}
        for c in state.companies:
            for m in c.mentions:
                ns, ne = offsets(m)
                s, e = view.of[ns], view.of[ne]
                self.by_end.setdefault(e, (c, s))
                self.by_start.setdefault(s, (c, e))
        self.theme_spans = [(view.of[ns], view.of[ne]) for t in state.themes for ns, ne in map(offsets, t.mentions)]

    @staticmethod
    def resolve(name: str):
        fn = getattr(companies, "resolve", None)
        try:
            return fn(name) if fn else None
        except Exception:  # a lexicon problem must not stop the ladder
            return None

    def plausible(self, name: str, s: int, e: int) -> bool:
        n = self.g.r.names
        if not (n.min_len <= len(name) <= n.max_len) or name in self.g.stop_words:
            return False
        if self.g.stop_parts.search(name) or not re.search(r"[\u4e00-\u9fff]", name):
            return False
        return not any(ts < e and s < te for ts, te in self.theme_spans)

    def _resolved(self, form: str, s: int, e: int) -> Optional[Name]:
        ref = self.resolve(form)
        if ref is not None and getattr(ref, "listed", True):
            return Name(ref.name, ref.code, s, e)
        return None

    def at_end(self, pos: int, strong_only: bool = False) -> Optional[Name]:
        """A name that ends exactly at `pos`: a company found there, one the lexicon resolves,
        or (unless `strong_only`) a run of characters shaped like a name."""
        if pos in self.by_end:
            c, s = self.by_end[pos]
            return Name(c.name, c.code, s, pos)
        m = self.g.run_before.search(self.text, max(0, pos - 12), pos)
        if not m:
            return None
        run = m.group()
        for k in range(min(len(run), 8), 1, -1):
            if (hit := self._resolved(run[-k:], pos - k, pos)):
                return hit
        if strong_only:
            return None
        lead_end = max((x.end() for x in self.g.lead.finditer(run) if x.end() <= len(run) - 2), default=0)
        name = run[lead_end:]
        if len(name) > 4 and (suf := list(self.g.suffix.finditer(name))) and suf[-1].end() == len(name):
            name = name[-4:]
        s = pos - len(name)
        return Name(name, None, s, pos) if self.plausible(name, s, pos) else None

    def at_start(self, pos: int, shaped: bool = False) -> Optional[Name]:
        """A name that starts at `pos` (after its count: 18连板锋龙股份). With `shaped`, an unknown
        name must end like a company name (股份, 集团 …): nothing marks it off the words after."""
        if pos in self.by_start:
            c, e = self.by_start[pos]
            return Name(c.name, c.code, pos, e)
        m = self.g.run_after.match(self.text, pos, pos + 12)
        if not m:
            return None
        run = m.group()
        for k in range(min(len(run), 8), 1, -1):
            if (hit := self._resolved(run[:k], pos, pos + k)):
                return hit
        cut = min((x.start() for x in self.g.trail.finditer(run) if x.start() >= 2), default=len(run))
        name = run[:cut]
        if (suf := self.g.suffix.search(name)) and suf.end() >= 3:
            name = name[:suf.end()]
        elif shaped:
            return None
        if len(name) > 4:
            name = name[:4]
        return Name(name, None, pos, pos + len(name)) if self.plausible(name, pos, pos + len(name)) else None

    def before(self, anchor: int) -> tuple[Optional[Name], bool, int]:
        """The name a count at `anchor` follows, past filler; whether 晋级 stood between; and
        where the filler began."""
        pos, promoted = anchor, False
        while pos > 0:
            if (hit := self.at_end(pos, strong_only=True)):
                return hit, promoted, pos
            m = self.g.filler.search(self.text, max(0, pos - 30), pos)
            if not m or m.start() == pos:
                break
            promoted = promoted or bool(self.g.promoted.search(m.group()))
            pos = m.start()
        return self.at_end(pos), promoted, pos

    def subject(self, clause_start: int) -> Optional[Name]:
        """The stock a sentence is about, for a clause with none of its own (肇民科技(301000)凭借…，
        成功实现3连板): the last clause-initial name with its code, or a company found there."""
        s0 = sentence_start(self.text, clause_start)
        best = None
        for m in re.finditer(r"(?:^|(?<=[,，:：]))\s*([\u4e00-\u9fffA-Za-z*]{2,8})\s*[(（][A-Za-z]{0,2}\d{6}",
                             self.text[s0:clause_start]):
            name = self.at_end(s0 + m.end(1))
            if name:
                best = name
        found = sorted((s, e, c) for e, (c, s) in self.by_end.items() if s0 <= s and e <= clause_start)
        initial = [f for f in found if self.text[f[0] - 1:f[0]] in ("", ",", "，", ":", "：", "\n")]
        for s, e, c in (initial or found)[-1:]:
            if best is None or s > best.start:
                best = Name(c.name, c.code, s, e)
        return best

    def list_before(self, first: Name) -> list[Name]:
        """Names joined to `first` by 、/和/与 (中国核建、安泰科技2连板)."""
        out, pos = [], first.start
        while len(out) < 8:
            m = self.g.list_sep.search(self.text, max(0, pos - 3), pos)
            if not m:
                break
            nxt = self.at_end(m.start())
            if not nxt:
                break
            out.append(nxt)
            pos = nxt.start
        return out

    def list_after(self, first: Name) -> list[Name]:
        """`first` and the names joined after it (3板的华天酒店、长江传媒)."""
        out = [first]
        while len(out) < 8:
            m = re.compile(r"\s*(?:、|和|与|及|以及)\s*").match(self.text, out[-1].end)
            nxt = self.at_start(m.end()) if m else None
            if not nxt:
                break
            out.append(nxt)
        return out

    def items(self, start: int, stop: int) -> list[Name]:
        """Names listed between `start` and `stop` (a ladder line: 友好集团、中百集团)."""
        out = []
        for m in re.finditer(r"[^、,，/\s;；。]+", self.text[start:stop]):
            s, e = start + m.start(), start + m.end()
            e2 = e
            paren = re.match(r"[^(（]*", m.group())
            if paren and paren.end() < len(m.group()):
                e2 = s + paren.end()
            name = self.at_end(e2)
            if name and name.start == s:
                out.append(name)
        return out


_NAME_HEADERS = {"名称", "股票名称", "简称", "股票简称", "证券简称", "个股", "股票", "名字"}


def _table_boards(text: str, namer: _Namer, hits: list[Hit]) -> list[tuple[Name, Hit]]:
    """Ladder tables: a `| 5天3板 |` row above stock rows, or a streak cell in a stock's row."""
    if "|" not in text:
        return []
    out = []
    col: Optional[int] = None
    current: Optional[Hit] = None
    starts = [h.start for h in hits]  # hits are in text order
    for line in re.finditer(r"[^\n]+", text):
        if not line.group().lstrip().startswith("|"):
            current, col = None, None
            continue
        cells = []
        for c in re.finditer(r"[^|]+|(?<=\|)(?=\|)", line.group().strip().strip("|")):
            body = c.group().strip()
            off = line.start() + line.group().index(line.group().strip().strip("|")) + c.start()
            off += len(c.group()) - len(c.group().lstrip())
            cells.append((body, off))
        for i, (t, _) in enumerate(cells):
            if t in _NAME_HEADERS:
                col = i
        filled = [(t, o) for t, o in cells if t]
        in_line = [h for h in hits[bisect_left(starts, line.start()):bisect_right(starts, line.end())]
                   if h.end <= line.end()]
        if len(filled) == 1 and in_line and in_line[0].end - in_line[0].start == len(filled[0][0]):
            current = in_line[0]
            continue
        if col is None or col >= len(cells) or not cells[col][0]:
            continue
        t, o = cells[col]
        name = namer.at_end(o + len(t))
        if (name is None or name.start != o) and re.fullmatch(r"[\u4e00-\u9fffA-Za-z*]{2,8}", t):
            name = Name(t, None, o, o + len(t))
        if name is None:
            continue
        own = [h for h in in_line if h.start >= name.end]
        if own:
            out.append((name, own[0]))
        elif current is not None:
            out.append((name, current))
    return out


_INLINE_GAP = re.compile(r"[ \t\u3000]*")


def extract_boards(state: RecapState) -> list[Board]:
    g = grammar()
    view = article_view(state)
    text = view.text
    numbers = view.numbers(state.numbers)
    hits = find_hits(text, numbers, g)
    namer = _Namer(state, view, g)
    found: list[tuple[Name, Hit, str]] = []
    used: set[int] = set()
    for name, hit in _table_boards(text, namer, hits):
        found.append((name, hit, "board.table"))
        used.add(id(hit))
    for hit in hits:
        if id(hit) in used:
            continue
        close = ladder_close_at(text, hit.end, g)
        at_line_start = g.ladder_open.search(text, max(0, hit.start - 6), hit.start)
        if at_line_start and not close:
            # 7板 中国卫星 (a ladder line with the name after its count): not the name on the line above
            gap = _INLINE_GAP.match(text, hit.end)
            first = namer.at_start(gap.end(), shaped=True)
            if first:
                found.extend((item, hit, "board.ladder") for item in [first] + namer.list_after(first))
                continue
        name, promoted, pos = (None, False, hit.start) if (close and at_line_start) else namer.before(hit.start)
        if close and name is None:
            # 5板：友好集团、中百集团 (a ladder line, or a list after the count mid-sentence)
            stop = next((i for i in range(close.end(), min(len(text), close.end() + 200)) if text[i] in "。;；\n"),
                        min(len(text), close.end() + 200))
            for item in namer.items(close.end(), stop):
                found.append((item, hit, "board.ladder"))
            continue
        names = [name] + namer.list_before(name) if name else []
        if not names and text[pos - 1:pos] in (",", "，") and (
                g.verb.search(text, pos, hit.start) or hit.rule == "board.consecutive"):
            subject = namer.subject(pos - 1)
            names = [subject] if subject else []
        if not names and hit.rule in ("board.streak", "board.word"):
            after = re.match(r"\s*([的(（]|为|是|)\s*", text[hit.end:hit.end + 4])
            late = namer.at_start(hit.end + after.end(), shaped=not after.group(1))
            names = namer.list_after(late) if late else []
        if promoted and hit.status is None:
            hit.status = "promoted"
        for nm in names:
            found.append((nm, hit, hit.rule))
    boards, seen = [], set()
    for name, hit, rule in sorted(found, key=lambda f: min(f[0].start, f[1].start)):
        key = (name.name, hit.boards)
        if key in seen:
            continue
        seen.add(key)
        status = hit.status
        tail = max(hit.end, name.end)
        if status is None:
            status = status_at(text, tail, g)
        boards_count = hit.boards
        if status is None and g.attempt.search(text, max(0, hit.start - 3), hit.start) \
                and g.failed.match(text, _blanks_start(text, hit.end)):
            if boards_count < 2:
                continue
            boards_count, status, rule = boards_count - 1, "ended", "board.attempt_failed"  # 冲击8连板失败
        s, e = view.back(min(name.start, hit.start), max(name.end, hit.end))
        boards.append(state.mention(Board, s, e, company=name.name, code=name.code, boards=boards_count,
                                    days=hit.days, status=status, rule=rule))
    return boards


@register
class Boards(Component):
    name = "boards"

    def load(self) -> None:
        grammar()

    def process(self, doc: Doc, state: RecapState) -> None:
        state.boards = extract_boards(state)
        for b in state.boards:
            add_span(doc, "boards", *offsets(b), b.company)
