"""Decode bytes and normalize text once, keeping a map back to the original.

Length-changing edits (HTML tags and entities, zero-width characters, blanks between a digit and
its scale word) are recorded as pieces; the character-for-character edits that follow (full-width to
half-width, Traditional to Simplified) keep lengths, so the same pieces map every normalized offset
back into the original decoded text.
"""
from __future__ import annotations

import codecs
import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import opencc


class InputError(ValueError):
    """A user input that cannot be read as an article (empty, binary, undecodable)."""


# ---------------------------------------------------------------- decoding
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# Frequent characters of Chinese prose and market text, in both scripts; used to choose between
# legacy encodings that both decode the bytes without error.
_COMMON = set("的是在了不和有大这中人上为们个用年月日股市涨跌板亿万元家只点成交指数票資漲這個們為場億萬報盤")


def decode(data: bytes) -> str:
    """Decode an article's bytes: UTF-8 (BOM or not), UTF-16/32 with BOM, GB18030, Big5."""
    return decode_report(data)[0]


# UTF-8 with this few bad bytes (a truncated last character, a stray byte) is still UTF-8: the bad
# bytes become U+FFFD and the rest of the article is kept, rather than rejected or misread.
_MAX_BAD_UTF8 = 8


def decode_report(data: bytes) -> tuple[str, Optional[str]]:
    """`decode`, plus a one-line note when the text was recovered lossily (else None)."""
    if not data.strip():
        raise InputError("empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(f"invalid {enc} data at byte {e.start}") from None
            return _check_text(text), None
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError("binary file (NUL bytes), not a text article")
        return _check_text(text), None
    try:
        return _check_text(data.decode("utf-8")), None
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    candidates = []
    utf8 = data.decode("utf-8", errors="replace")
    bad = utf8.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad <= max(_MAX_BAD_UTF8, len(data) // 10000):
        candidates.append((_score(utf8) - 10 * bad, "utf-8", utf8))
    for enc in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text), enc, text))
    if not candidates:
        raise InputError(f"not valid UTF-8 (byte {first_bad}), GB18030 or Big5 text")
    candidates.sort(key=lambda c: -c[0])
    score, enc, text = candidates[0]
    if score <= 0:
        raise InputError(f"not valid UTF-8 (byte {first_bad}), and no Chinese text as GB18030 or Big5")
    note = None
    if enc == "utf-8":
        note = f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD (first at byte {first_bad})"
    return _check_text(text), note


def _score(text: str) -> int:
    return sum(ch in _COMMON for ch in text[:20000])


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """UTF-16 text saved without a BOM: its NUL bytes (the high half of ASCII) sit on one parity."""
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if len(data) % 2 or max(even, odd) < 2 or min(even, odd) * 10 > max(even, odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text[:20000])
    printable = sum(ch.isprintable() or ch in "\t\n\r" for ch in text[:20000])
    if cjk == 0 and printable < 0.95 * min(len(text), 20000):
        return None
    return text


def _check_text(text: str) -> str:
    if not text.strip():
        raise InputError("empty file")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 100):
        raise InputError("binary file (control characters), not a text article")
    return text


# ---------------------------------------------------------------- normalization
_BLOCK_TAGS = "p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|section|article|blockquote|hr|pre|header|footer"
_INLINE_TAGS = "span|strong|b|i|em|u|a|font|img|sup|sub|small|big|code|mark|s|strike|ins|del|label"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PIECES = re.compile(
    # Every piece starts with one of these characters: positions without one are passed over at once.
    r"(?=[<&/\u200b-\u200f\u2060\ufeff\u00ad \t\u00a0\u3000(（])(?:"
    # An unclosed script, style, comment or CDATA runs to the end, as in a browser (and a search stays linear).
    r"(?P<drop><(?:script|style)\b[^<>]{0,2000}>.*?(?:</(?:script|style)\s*>|$)|<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$))"
    rf"|(?P<block></?(?:{_BLOCK_TAGS})\b[^<>]{{0,2000}}>)"
    rf"|(?P<tag></?[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]{{0,2000}})?/?>|(?<![\w<])/(?:{_INLINE_TAGS})>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)"
    r"|(?P<invisible>[\u200b-\u200f\u2060\ufeff\u00ad])"
    # Pinyin that some pages put after a character (收盤(pán)報(bào)): a tone mark tells it from a note.
    rf"|(?<=[\u4e00-\u9fff])(?P<ruby>[(（](?=[a-zü]{{0,5}}[{_TONED}])[a-z{_TONED}ü]{{1,6}}[)）])"
    r"|(?<=[0-9０-９])(?P<gap>[ \t\u00a0\u3000]+)(?=[万萬亿億千百兆元%％倍]))",
    re.DOTALL | re.IGNORECASE,
)

_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF.update({0x3000: 0x20, 0x00A0: 0x20, 0xFFE5: 0xA5, 0xFFE0: 0xA2, 0x2212: 0x2D, 0x2014: 0x2D})
# 2014 (em dash) is left alone below where it is a long dash; only the minus sign matters to numbers.
del _HALF[0x2014]
_HALF_CHARS = {chr(k): chr(v) for k, v in _HALF.items()}
assert not _HALF_CHARS.keys() & set(_HALF_CHARS.values())  # no result is replaced again


def _halfwidth(text: str) -> str:
    """`text.translate(_HALF)`: one replace per character present, far faster than translating."""
    for ch in _HALF_CHARS.keys() & set(text):
        text = text.replace(ch, _HALF_CHARS[ch])
    return text


# A full-width comma after an ASCII digit stays full-width: it ends a clause (涨停20，跌停3) and must not
# read as a thousands separator (the numbers layer applies the same rule).
_CLAUSE_COMMA = re.compile(r"(?<=[0-9])，")


def _keep_clause_commas(before: str, after: str) -> str:
    chars = None
    for m in _CLAUSE_COMMA.finditer(before):
        chars = chars or list(after)
        chars[m.start()] = "，"
    return "".join(chars) if chars else after


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _convert_same_length(text: str, config: str) -> str:
    """OpenCC conversion, forced to keep the text's length so offsets stay valid."""
    conv = _converter(config).convert
    out = conv(text)
    if len(out) == len(text):
        return out
    parts = []
    for line in text.splitlines(keepends=True):
        c = conv(line)
        if len(c) != len(line):
            c = "".join(ch2 if len(ch2 := conv(ch)) == 1 else ch for ch in line)
        parts.append(c)
    return "".join(parts)


@dataclass
class Normalized:
    """Normalized text plus the map from its offsets to offsets in the original text."""

    original: str
    text: str
    script: str
    # Pieces: normalized start, original start, original end, and whether the piece is a 1:1 copy.
    _nstarts: list[int] = field(repr=False, default_factory=list)
    _ostarts: list[int] = field(repr=False, default_factory=list)
    _oends: list[int] = field(repr=False, default_factory=list)
    _copy: list[bool] = field(repr=False, default_factory=list)

    def _piece(self, pos: int) -> int:
        return max(0, bisect_right(self._nstarts, pos) - 1)

    def orig_start(self, pos: int) -> int:
        if not self._nstarts:
            return 0
        i = self._piece(pos)
        if self._copy[i]:
            return min(self._ostarts[i] + pos - self._nstarts[i], self._oends[i])
        return self._ostarts[i]

    def orig_end(self, pos: int) -> int:
        """Original offset for an exclusive end offset in the normalized text."""
        if pos <= 0 or not self._nstarts:
            return 0
        i = self._piece(pos - 1)
        if self._copy[i]:
            return min(self._ostarts[i] + pos - self._nstarts[i], self._oends[i])
        return self._oends[i]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if len(self._copy) == 1 and self._copy[0] and self._ostarts[0] == 0:  # a plain copy: no map
            size = self._oends[0]
            ostart = min(start, size)
            return ostart, max(ostart, min(end, size) if end > 0 else 0)
        ostart = self.orig_start(start)
        return ostart, max(ostart, self.orig_end(end))

    def span(self, start: int, end: int) -> dict:
        """`{"text", "start", "end"}` in original coordinates for a normalized span."""
        s, e = self.to_original(start, end)
        return {"text": self.original[s:e], "start": s, "end": e}


def _changed(a: str, b: str) -> int:
    """How many positions differ between two strings of the same length."""
    if a == b:
        return 0
    import numpy  # already loaded with spaCy; a hundred times faster than a Python loop here

    x = numpy.frombuffer(a.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    y = numpy.frombuffer(b.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    return int(numpy.count_nonzero(x != y))


def _script(stage1: str, simplified: str) -> str:
    """Which script the article is written in, from the characters each conversion changes."""
    sample, simple = stage1[:200_000], simplified[:200_000]
    trad = _changed(sample, simple)
    if trad == 0:  # the usual case: no need for the (slow to load) reverse conversion
        return "simplified"
    simp = _changed(sample, _convert_same_length(sample, "s2t"))
    if trad <= simp * 0.05:
        return "simplified"
    if simp <= trad * 0.05:
        return "traditional"
    return "mixed"


def normalize(original: str) -> Normalized:
    nstarts: list[int] = []
    ostarts: list[int] = []
    oends: list[int] = []
    copy: list[bool] = []
    out: list[str] = []
    npos = 0
    last = 0

    def add(piece: str, ostart: int, oend: int, is_copy: bool) -> None:
        nonlocal npos
        nstarts.append(npos)
        ostarts.append(ostart)
        oends.append(oend)
        copy.append(is_copy)
        out.append(piece)
        npos += len(piece)

    for m in _PIECES.finditer(original):
        if m.start() > last:
            add(original[last:m.start()], last, m.start(), True)
        kind = m.lastgroup
        if kind == "block":
            repl = "\n"
        elif kind == "entity":
            repl = html.unescape(m.group())
            if repl == m.group():
                add(repl, m.start(), m.end(), True)
                last = m.end()
                continue
        else:
            repl = ""
        if repl:
            add(repl, m.start(), m.end(), False)
        elif m.end() > m.start():
            # An empty piece still marks where the original skips ahead.
            add("", m.start(), m.end(), False)
        last = m.end()
    if last < len(original):
        add(original[last:], last, len(original), True)

    joined = "".join(out)
    stage1 = _halfwidth(joined)
    if "，" in joined:
        stage1 = _keep_clause_commas(joined, stage1)
    simplified = _convert_same_length(stage1, "t2s")
    # Drop empty pieces now that they have served: lookups bisect on normalized starts.
    keep = [i for i in range(len(nstarts)) if i + 1 == len(nstarts) or nstarts[i + 1] > nstarts[i]]
    return Normalized(
        original=original, text=simplified, script=_script(stage1, simplified),
        _nstarts=[nstarts[i] for i in keep], _ostarts=[ostarts[i] for i in keep],
        _oends=[oends[i] for i in keep], _copy=[copy[i] for i in keep],
    )
