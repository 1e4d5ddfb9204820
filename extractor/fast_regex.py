"""Faster forms of the extractor's biggest patterns, matching exactly what the plain forms match.

Python's `re` tries every alternative of a pattern like the period or modality cues (a hundred
words, some with optional lead-ins) at every position of the text.

* `guarded(p)` puts a one-class lookahead in front, `(?=[截今昨…\\d])(?:p)`, computed from the parsed
  pattern, so positions where no match can start are rejected with one test. The class holds every
  character a match can start with, so the matches are the same. Patterns it cannot reason about
  (that can match the empty string, start with any character, or use case folding) come back
  unchanged, and so do those `re` already skips ahead for by itself.
* `words_re(words)` spells a list of plain words as a trie (涨(?:停(?:家数)?|幅)?) instead of a flat
  alternation: each optional tail is tried before stopping short, so at a position it matches the
  longest word there, as the flat alternation sorted longest-first does, trying far fewer
  alternatives on the way.
"""
from __future__ import annotations

import re
from typing import Optional

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]


class _Unknown(Exception):
    pass


_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = {C.ASSERT, C.ASSERT_NOT, C.AT}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())


def _first(seq) -> tuple[list[str], bool]:
    """(class pieces a match of `seq` can start with, whether `seq` can match the empty string)."""
    pieces: list[str] = []
    for op, av in seq:
        first, nullable = _first_op(op, av)
        pieces += first
        if not nullable:
            return pieces, False
    return pieces, True


def _first_op(op, av) -> tuple[list[str], bool]:
    if op is C.LITERAL:
        return [re.escape(chr(av))], False
    if op is C.IN:
        out = []
        for kind, value in av:
            if kind is C.LITERAL:
                out.append(re.escape(chr(value)))
            elif kind is C.RANGE:
                out.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
            elif kind is C.CATEGORY and value in _CATEGORIES:
                out.append(_CATEGORIES[value])
            else:  # NEGATE, a character set we do not spell out
                raise _Unknown
        return out, False
    if op is C.BRANCH:
        pieces, nullable = [], False
        for alternative in av[1]:
            first, empty = _first(alternative)
            pieces += first
            nullable = nullable or empty
        return pieces, nullable
    if op is C.SUBPATTERN:
        _, add_flags, _, sub = av
        if add_flags & re.IGNORECASE:
            raise _Unknown
        return _first(sub)
    if op in _REPEATS:
        low, _, sub = av
        first, empty = _first(sub)
        return first, empty or low == 0
    if getattr(C, "ATOMIC_GROUP", None) is op:
        return _first(av)
    if op in _ZERO_WIDTH:
        return [], True
    raise _Unknown  # ANY, group references, conditionals …


def _scanned_fast(parsed) -> bool:
    """Whether `re` already skips ahead to a possible first character by itself: the pattern opens
    with a literal, a character set, or a choice of words each opening with a literal."""
    seq = parsed
    while seq and seq[0][0] is C.SUBPATTERN:
        seq = seq[0][1][3]
    if not seq:
        return False
    op, av = seq[0]
    if op in (C.LITERAL, C.IN):
        return True
    return op is C.BRANCH and all(alt and alt[0][0] is C.LITERAL for alt in av[1])


def first_class(pattern: re.Pattern) -> Optional[str]:
    """A character class holding every character a match of `pattern` can start with, or None."""
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    try:
        return _class_of(P.parse(pattern.pattern, pattern.flags))
    except (re.error, TypeError, ValueError):
        return None


def _class_of(parsed) -> Optional[str]:
    try:
        pieces, nullable = _first(parsed)
    except (_Unknown, TypeError, ValueError):
        return None
    if nullable or not pieces:
        return None
    return "[" + "".join(dict.fromkeys(pieces)) + "]"


def guarded(pattern: re.Pattern) -> re.Pattern:
    """`pattern` with a lookahead on its possible first characters (same matches, faster searches);
    unchanged where `re` skips ahead by itself already."""
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return pattern
    try:
        parsed = P.parse(pattern.pattern, pattern.flags)
    except (re.error, TypeError, ValueError):
        return pattern
    if _scanned_fast(parsed):
        return pattern
    cls = _class_of(parsed)
    if cls is None:
        return pattern
    try:
        return re.compile(f"(?={cls})(?:{pattern.pattern})", pattern.flags)
    except re.error:
        return pattern


def any_of(patterns) -> re.Pattern:
    """One pattern matching where any of `patterns` does (a quick test before trying them one by
    one); their group names are dropped, so that two may use the same name."""
    patterns = list(patterns)
    flags = 0
    for p in patterns:
        flags |= p.flags
    return re.compile("|".join(re.sub(r"\(\?P<\w+>", "(?:", f"(?:{p.pattern})") for p in patterns), flags)


def words_re(words) -> str:
    """A pattern matching the longest of `words` (plain text, not patterns) at a position."""
    trie: dict = {}
    for w in sorted(set(words)):
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie) or "(?!)"


def _emit(node: dict) -> str:
    branches = [re.escape(ch) + _emit(child) for ch, child in node.items() if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
