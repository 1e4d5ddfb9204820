"""Markdown tables in the claims pass: a figure's metric is its column's header, its subject the
row's name cell (or the group row above it)."""
from __future__ import annotations

import re
from typing import Optional

from .claims_attribution import Attribution, assign, nstart, unit_key
from .claims_context import Carry

_TABLE_SEP = re.compile(r"^\s*(?:\|\s*)?:?-{2,}")
_NAME_HEADERS = ("名称", "股票名称", "简称", "股票简称", "证券简称", "个股", "股票", "名字", "标的")
_INDEX_HEADERS = ("序号", "排名", "编号", "No", "NO", "#")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_BAR = re.compile(r"\|")


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
    while fi < len(figs) and nstart(state.figures[figs[fi]]) < le:
        f = state.figures[figs[fi]]
        fi += 1
        if nstart(f) < ls:
            continue
        col = next((j for j, (a, b) in enumerate(cells) if a <= nstart(f) < b), None)
        h = header[col] if header and col is not None and col < len(header) else None
        if group_row or not h or h in _NAME_HEADERS or h in _INDEX_HEADERS:
            h = None
        assign(f, subject=name, metric=h or att.lex.defaults.get(unit_key(f)), period=carry.period, modality="fact")
    return header, fi


def _skip(figs, fi, state, end):
    while fi < len(figs) and nstart(state.figures[figs[fi]]) < end:
        fi += 1
    return fi
