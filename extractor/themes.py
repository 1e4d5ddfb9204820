"""Themes: sectors and concepts (题材, 板块, 概念) and the stocks named as their leaders.

`rules/themes.toml` lists each theme with its canonical name, aliases and weak aliases (words that
are themes only in a theme context). One Aho-Corasick automaton finds them in the normalized
text; generic forms (X概念, X板块, X概念股, X产业链, X行业 ...) are recognised around any theme, and
an unlisted X板块 / X概念 becomes a theme of its own. Leaders come from the phrasing families
recaps use: "光模块：A、B、C", "龙头A", "A领涨", "以A为首", "A为龙头", "最受益的A"; the role
(主线, 助攻, 最强, 支线) when the text states one next to the theme.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Optional

from pydantic import Field
from spacy.tokens import Doc

from .companies import _finditer_in, article_view, fold
from .component import Component, register
from .models import Mention, Theme
from .rules import RuleModel, load_toml, rules_path
from .state import RecapState, add_spans, construct, longest_first, offsets
from .surfaces import Surfaces

# ---------------------------------------------------------------- rules schema


class ThemeRule(RuleModel):
    name: str = Field(min_length=1)
    aliases: list[str] = []
    weak_aliases: list[str] = []
    kind: Literal["industry", "concept", "style"] = "concept"
    weak: bool = False


class ThemeRules(RuleModel):
    theme: list[ThemeRule]


# ---------------------------------------------------------------- lexicon

_CJK = re.compile(r"[\u4e00-\u9fff]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_ALNUM_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class TKey:
    theme: str  # canonical name
    weak: bool
    form: str  # the form as listed (its casing is used for the output name)


@dataclass
class ThemeLexicon:
    # each surface (folded), with what find checks of a hit: (key, alphanumeric first character,
    # alphanumeric last character, a short CJK word, the name the theme gets there)
    surfaces: Surfaces[tuple[TKey, bool, bool, bool, str]]
    keys: dict[str, TKey] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def lexicon() -> ThemeLexicon:
    """The theme lexicon, from the cache folder when it was built from the same rules and code."""
    from pathlib import Path

    from . import lexcache

    return lexcache.cached("themes", [Path(__file__), rules_path("themes.toml")], build_lexicon)


def build_lexicon() -> ThemeLexicon:
    rules = load_toml("themes.toml", ThemeRules)
    keys: dict[str, TKey] = {}
    words = []
    for t in rules.theme:
        forms = [(t.name, t.weak)] + [(a, False) for a in t.aliases] + [(a, True) for a in t.weak_aliases]
        for form, weak in forms:
            k = fold(form)
            if k in keys and keys[k].theme == t.name:
                continue
            if k in keys:
                raise ValueError(f"themes.toml: {form!r} belongs to {keys[k].theme} and {t.name}")
            keys[k] = TKey(t.name, weak, form)
            if _CJK.search(form):
                words.append(form.replace(" ", ""))
    surfaces = {k: (key, k[0] in _ALNUM_CHARS, k[-1] in _ALNUM_CHARS, bool(_CJK.search(k)) and len(k) <= 3,
                    _form(k, key, keys)) for k, key in keys.items()}
    names = {w for t in rules.theme for w in [t.name, *t.aliases, *t.weak_aliases]}
    return ThemeLexicon(surfaces=Surfaces(surfaces), keys=keys, words=sorted(set(words)), names=names)


def _form(k: str, key: TKey, keys: dict[str, TKey]) -> str:
    """The name a theme is given where the text writes surface `k` (folded)."""
    # without ASCII letters or digits, the text has `k` itself there
    form = key.form if _ALNUM.search(k) else k
    stem = _STEM.sub("", form)
    skey = keys.get(fold(stem))
    if form != key.theme and stem != form and len(stem) >= 2 and skey is not None and skey.theme == key.theme:
        form = skey.form if _ALNUM.search(stem) else stem  # 机器人概念 -> 机器人
    return form


def all_names() -> set[str]:
    """Every theme name and alias (companies.py treats stock names that are also themes as weak)."""
    return lexicon().names


def user_words() -> Iterable[str]:
    """Names the private jieba tokenizer must keep whole."""
    return lexicon().words


# ---------------------------------------------------------------- matching

# Generic forms around a theme word; a weak word needs one of them (or a theme list) to count.
_SUFFIX = re.compile(r"(?:概念股|概念|板块|产业链|行业|题材|方向|赛道|个股|龙头|指数|族群|类股|股(?![东份权价市票息])|"
                     r"链(?![接条])|系(?![统列数]))")
_STEM = re.compile(r"(?:概念股|概念|板块|产业链|行业|股)$")
_THEME_VERB = re.compile(r"(?<!\s)\s*+(?:走强|走弱|领涨|领跌|大涨|大跌|爆发|异动|拉升|活跃|集体|涨幅居前|跌幅居前|"
                         r"表现|反弹|回调|调整|杀跌|跳水|分化|掉队|退潮|发酵|护盘|托底|发力|领衔|止跌|企稳|上攻|冲高|飘红|翻红|走高|走低)|(?<!\s)\s*+[:：]")
_LIST_SEP = re.compile(r"^\s*(?:[、/和与及&]|以及)\s*$")
_GENERIC_BAD_HEAD = re.compile(
    r"^(?:其他|其它|相关|多个|多数|部分|各|整个|热门|题材|主线|权重|个股|大|小|中|强势|弱势|新|老|同|该|这|那|"
    r"哪|两|几|少数|多|全|所有|各大|相应|核心|同一|不同|上述|以下|以上|今日|今天|昨日|昨天|明日|午后|早盘|"
    r"尾盘|盘中|科技|行业|市场|资金|主力|机构|游资|板块|概念|领涨|领跌|涨幅|跌幅|炒作|活跃|跌停|涨停|最|高位|低位|借助|"
    r"绝大|政策|利好|高估值|低估值|防御)")
_GENERIC_BAD = {"指数", "行业", "市场", "科技", "主板", "创业板", "科创板", "北交所", "沪市", "深市", "两市",
                "A股", "港股", "美股", "个股", "题材", "热点", "资金", "概念", "主线", "龙头", "蓝筹"}
_INDEX = re.compile(r"(?:指数|指|50|100|300|500|1000|2000)$")


@dataclass(slots=True)
class TMatch:
    start: int
    end: int  # end of the theme word
    ext_end: int  # end including a generic suffix
    theme: str  # canonical name
    weak: bool
    form: str = ""  # the name as the writer put it (one of the theme's names)


_NOT_AFTER = re.compile(r"(?:时报|日报|晚报|报社|交易所|综合指数|业协会|监管|间|业务|登记|从业|存款|贷款|理财|账户|资金|"
                        r"公司|机构|期货|价格|价|期指|主力合约|合约|ETF|团队|分析师|研究员|市场)")
_NOT_BEFORE = re.compile(r"(?:沪|沪市|伦|伦敦|纽约|COMEX|期|国际|现货|政策)$")
_GENERIC_TOKENS_BAD = re.compile(r"[的在与及和则而其了是对把被从向等为中之以或都也]")


def find(text: str, view=None, occupied: Optional[bytearray] = None, freq: Optional[dict] = None) -> list[TMatch]:
    """Theme mentions in the view's text; `occupied` (view offsets) marks company mentions to stay out of."""
    lex = lexicon()
    folded = view.folded() if view is not None and view.text is text else fold(text)
    starts, ends = (view.starts, view.ends) if view is not None else (None, None)
    found: list[TMatch] = []
    n = len(text)
    values = lex.surfaces.values
    for i, start, end in lex.surfaces.find(folded):
        key, alnum_first, alnum_last, short_cjk, form = values[i]
        length = end - start
        if alnum_first and start > 0 and (text[start - 1] in _ALNUM_CHARS or text[start - 1] == "."):
            continue
        if alnum_last and end < n and text[end] in _ALNUM_CHARS:
            continue
        if occupied is not None and start > 0 and occupied[start - 1] and not any(occupied[start:end]):
            continue  # 腾讯证券, 东亚银行: the theme word ends a firm's name
        if starts is not None and short_cjk and start not in starts:
            continue
        sm = _SUFFIX.match(text, end)
        if starts is not None and short_cjk and end not in ends and not sm:
            continue
        if occupied is not None and any(occupied[start:end]):
            continue
        if not sm and (_NOT_AFTER.match(text, end) or _NOT_BEFORE.search(text[max(0, start - 5):start])):
            continue
        if length == 1 and not sm:
            continue  # 铜, 铝: only as 铜板块, 铝概念股
        found.append(TMatch(start, end, sm.end() if sm else end, key.theme, key.weak, form))
    taken, occ = longest_first(found, len(text))
    if starts is not None:
        taken += _generic(text, starts, occ, occupied, freq)
    taken.sort(key=lambda m: m.start)
    return _accept(text, taken)


_FUNCTION_CHAR = re.compile(r"^[的在与及和则而其了是对把被从向等为中之以或都也、,，。;；:：!！?？()（）\s]")
_LIST_ITEM = r"[\u4e00-\u9fffA-Za-z0-9]"
_LIST_END = r"等[^,，。;；\n]{0,8}?(?:概念|板块|题材|方向|赛道)"
_LIST_THEMES = re.compile(r"((?:" + _LIST_ITEM + r"{2,8}、)+" + _LIST_ITEM + r"{2,8})" + _LIST_END)
_LIST_END_RE = re.compile(_LIST_END)
_LIST_ITEM_CHARS = re.compile(_LIST_ITEM)


def _list_starts(text: str) -> Iterator[tuple[int, int]]:
    """Ranges of offsets (lo, hi inclusive, ascending) where _LIST_THEMES can match: 2 to 8 item
    characters before a "、" in a run of items and "、" that reaches a list's end (…等概念)."""
    seps: set[int] = set()
    floor = 0  # back to the previous list end the run was walked already
    m = _LIST_END_RE.search(text)
    while m:
        r = m.start()
        while r > floor and (text[r - 1] == "、" or _LIST_ITEM_CHARS.match(text, r - 1)):
            r -= 1
            if text[r] == "、":
                seps.add(r)
        floor = m.start()
        m = _LIST_END_RE.search(text, m.start() + 1)
    for q in sorted(seps):
        p = q
        while p > q - 8 and p > 0 and _LIST_ITEM_CHARS.match(text, p - 1):
            p -= 1
        if p <= q - 2:
            yield p, q - 2


def _generic(text: str, starts: set[int], occ: bytearray, occupied: Optional[bytearray],
             freq: Optional[dict] = None) -> list[TMatch]:
    """X板块 / X概念(股) for an X no lexicon knows: the jieba tokens right before, back to a function word;
    and every item of "A、B、C等…概念/板块"."""
    out = []

    def add(s: int, e: int, ext: int, suffix: str) -> None:
        x = text[s:e]
        latin = bool(re.fullmatch(r"[A-Za-z0-9.\-]+", x))
        if (len(x) < 2 or len(x) > (10 if latin else 6) or any(occ[s:ext])
                or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9.\-]+", x) or (latin and not re.search("[A-Za-z]", x))
                or (x in _company_names() and suffix == "板块") or (occupied is not None and any(occupied[s:e]))
                or _GENERIC_TOKENS_BAD.search(x) or x in _GENERIC_BAD or _GENERIC_BAD_HEAD.match(x)
                or _INDEX.search(x) or re.search(r"[%]", x) or re.search(r"(?:相关|方面|之类|以外|以上|以下)$", x)
                or (freq is not None and freq.get(x, 0) >= 100)):
            return
        name = x + "概念" if suffix.startswith("概念") and x in _company_names() else x
        out.append(TMatch(s, e, ext, name, False, name))
        occ[s:ext] = b"\x01" * (ext - s)

    bounds = sorted(starts)
    for g in re.finditer(r"(概念股|概念|板块)", text):
        e = g.start()
        i = bisect.bisect_left(bounds, e) - 1
        s = e
        if g.group(1) == "板块":
            # X板块: one token (two when the last is a single character)
            if i >= 0 and e - bounds[i] == 1:
                i -= 1
            if i >= 0:
                add(bounds[i], e, g.end(), "板块")
            continue
        while i >= 0 and e - bounds[i] <= 10:
            tok = text[bounds[i]:s]
            if not tok or _FUNCTION_CHAR.match(tok) or _GENERIC_TOKENS_BAD.fullmatch(tok):
                break
            s = bounds[i]
            i -= 1
        if s == e:
            continue
        prev = text[s - 1:s]
        if prev and not _FUNCTION_CHAR.match(prev) and not _GENERIC_TOKENS_BAD.match(prev) and i >= 0 \
                and e - bounds[i] <= 10:
            continue  # ran into the length cap inside a longer phrase
        add(s, e, g.end(), g.group(1))
    for g in _finditer_in(_LIST_THEMES, text, _list_starts(text)):
        pos = g.start(1)
        for item in g.group(1).split("、"):
            s, e = pos, pos + len(item)
            pos = e + 1
            if s in starts and not any(occ[s:e]):
                add(s, e, e, "")
    return out


@lru_cache(maxsize=1)
def _company_names() -> set[str]:
    from . import companies

    return set(companies.lexicon().by_name)


def _accept(text: str, matches: list[TMatch]) -> list[TMatch]:
    keep = {id(m) for m in matches if not m.weak or m.ext_end > m.end or _THEME_VERB.match(text, m.end)}
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(matches):
            if id(m) in keep:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(matches) and id(matches[j]) in keep:
                    a, b = (matches[j], m) if j < i else (m, matches[j])
                    if _LIST_SEP.match(text[a.ext_end:b.start]):
                        keep.add(id(m))
                        changed = True
                        break
    return [m for m in matches if id(m) in keep]


# ---------------------------------------------------------------- leaders and roles

_ROLE = re.compile(r"(主线|助攻|最强|支线|次主线|核心)")
_ROLE_BEFORE = re.compile(r"(主线|助攻|最强|支线|核心)(?:题材|方向|板块)?(?:的)?(?:依然|仍然|还是|仍|继续|就|无疑)?"
                          r"(?:是|为|在|:|：)?\s*$")
_ROLE_AFTER = re.compile(r"^(?:板块|概念|方向|题材)?\s*+(?:是|为|作为|成为|依然是|仍是|继续)?\s*+(?:今日|今天|市场)?(?:的)?"
                         r"(主线|助攻|最强|支线|核心)")


_ROLE_WORD = re.compile(r"主线|助攻|最强|支线|核心")  # two characters each, none overlapping another


def _within(words: list[int], lo: int, hi: int) -> bool:
    """Whether one of the two-character words at sorted offsets `words` lies inside text[lo:hi]."""
    i = bisect.bisect_left(words, lo)
    return i < len(words) and words[i] <= hi - 2


def _role(text: str, m: TMatch, role_words: list[int]) -> Optional[str]:
    """The role the text gives the theme right before or after it; `role_words` are the sorted
    offsets of the role words (_ROLE_WORD), one of which the patterns need inside their window."""
    lo = max(0, m.start - 10)
    if not (_within(role_words, lo, m.start) or _within(role_words, m.ext_end, m.ext_end + 12)):
        return None
    r = _ROLE_AFTER.match(text[m.ext_end:m.ext_end + 12]) or _ROLE_BEFORE.search(text[lo:m.start])
    return r.group(1) if r else None


_LEADER_AFTER = re.compile(r"(?:领涨|领跌|为龙头|是龙头|带头|最强|最受益|龙头地位)")
_LEADER_BEFORE = re.compile(r"(?:龙头(?:股)?(?:是|为)?|最受益(?:的)?(?:是|为)?|受益股|领涨股(?:是|为)?|核心标的(?:是|为)?)\s*$")
_LEADER_HEAD = re.compile(r"以\s*$")  # 以A为首


def _leaders(text: str, m: TMatch, company_spans: list[tuple[int, int, str]], next_theme: int,
             sentence_end: int) -> list[str]:
    """Companies the text puts at the head of the theme, in the theme's clause."""
    limit = min(next_theme, sentence_end)
    out: list[str] = []
    after = text[m.ext_end:m.ext_end + 3]
    colon = re.match(r"\s*(?:[:：]|方向[:：]|个股[:：])", after)
    for i in range(bisect.bisect_left(company_spans, (m.ext_end,)), len(company_spans)):
        s, e, name = company_spans[i]
        if s >= limit:
            break  # sorted: the rest start later still
        if colon:
            # "光模块：A、B、C" - the list up to the clause end
            seg = text[m.ext_end:s]
            if re.search(r"[。;；\n]", seg):
                break
            out.append(name)
            continue
        before = text[max(m.end, s - 6):s]  # with the theme's suffix: 液冷龙头股英维克
        if (_LEADER_AFTER.match(text, e) or _LEADER_BEFORE.search(before)
                or (_LEADER_HEAD.search(before) and re.match(r"\s*(?:等)?为首", text[e:e + 4]))):
            out.append(name)
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- component


@dataclass(slots=True)
class _Group:
    rule: str
    mentions: list[Mention] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # normalized offsets of the mentions
    leaders: list[str] = field(default_factory=list)
    role: Optional[str] = None


def _extract(state: RecapState, doc: Optional[Doc], freq: Optional[dict]) -> dict[str, _Group]:
    view = article_view(state, doc)
    text = view.text
    # view offset of each normalized offset, to place company mentions in the view
    to_view = _Identity() if view.identity else _ViewIndex(view.pos)
    occupied = bytearray(len(text) + 1)
    company_spans = []
    for c in state.companies:
        for mn in c.mentions:
            s, e = offsets(mn)
            if not view.identity:
                s, e = to_view.get(s), to_view.get(e - 1)
                if s is None or e is None:
                    continue
                e += 1
            occupied[s:e] = b"\x01" * (e - s)
            company_spans.append((s, e, c.name))
    company_spans.sort()
    matches = find(text, view if doc is not None else None, occupied, freq)
    names = lexicon().names
    role_words: Optional[list[int]] = None
    groups: dict[str, _Group] = {}
    for i, m in enumerate(matches):
        # The theme is named as the writer names it (锂电, 锂电池 and CPO stay apart); aliases only find it.
        name = m.form or m.theme
        g = groups.get(name)
        if g is None:
            g = groups[name] = _Group("theme.generic" if m.theme not in names else "theme.lexicon")
        span = view.span(m.start, m.ext_end)
        g.mentions.append(state.mention(Mention, *span))
        g.spans.append(span)
        nxt = matches[i + 1].start if i + 1 < len(matches) else len(text)
        first = bisect.bisect_left(company_spans, (m.ext_end,))
        if first < len(company_spans) and company_spans[first][0] < nxt:  # a company before the next theme
            _, sent_end = state.sentence_span(view.pos[m.start])
            sent_end_v = to_view.get(sent_end, len(text)) if sent_end < len(state.text) else len(text)
            for cname in _leaders(text, m, company_spans, nxt, sent_end_v):
                if cname not in g.leaders:
                    g.leaders.append(cname)
        if g.role is None:
            if role_words is None:
                role_words = [r.start() for r in _ROLE_WORD.finditer(text)]
            g.role = _role(text, m, role_words)
    return groups


def extract_themes(state: RecapState, doc: Optional[Doc] = None, freq: Optional[dict] = None) -> list[Theme]:
    return [_theme(name, g) for name, g in _extract(state, doc, freq).items()]


def _theme(name: str, g: _Group) -> Theme:
    return construct(Theme, {"name": name, "leaders": g.leaders, "role": g.role, "mentions": g.mentions, "rule": g.rule})


class _Identity:
    """The map from normalized to view offsets when the view removed nothing."""

    @staticmethod
    def get(pos: int, default=None) -> int:
        return pos


class _ViewIndex:
    """The map from normalized to view offsets: `get` is None (or `default`) for a removed one."""

    def __init__(self, pos: list[int]):
        self.pos = pos

    def get(self, p: int, default=None):
        i = bisect.bisect_left(self.pos, p)
        return i if i < len(self.pos) and self.pos[i] == p else default


@register
class Themes(Component):
    name = "themes"

    def load(self) -> None:
        lexicon().surfaces.automaton()

    def process(self, doc: Doc, state: RecapState) -> None:
        segmenter = getattr(self.nlp.tokenizer, "segmenter", None)
        groups = _extract(state, doc, getattr(segmenter, "FREQ", None))
        state.themes = [_theme(name, g) for name, g in groups.items()]
        add_spans(doc, "themes", ((s, e, name) for name, g in groups.items() for s, e in g.spans))
