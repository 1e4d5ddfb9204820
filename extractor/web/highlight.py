"""The original article text as HTML, with extracted items marked in place by their offsets."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Optional

from markupsafe import Markup

from ..models import Article
from . import fmt

KINDS = ("figure", "company", "theme", "board", "market", "hit")


@dataclass
class Span:
    start: int
    end: int
    kind: str  # one of KINDS
    label: str  # what the item is, shown as the tooltip
    anchor: str  # element id, the target of links from lists and other pages


def article_spans(article: Article, hits: list[tuple[int, int]] = ()) -> list[Span]:
    """Every extracted item with a place in the original text, plus search hits to show."""
    spans: list[Span] = []
    for i, f in enumerate(article.figures):
        what = " ".join(x for x in (f.subject, f.metric, f.period) if x)
        spans.append(Span(f.start, f.end, "figure",
                          f"figure: {fmt.span_value(f.low, f.high, f.value, f.unit)} ({f.unit}, {f.modality})"
                          + (f" · {what}" if what else ""), f"figure-{i}"))
    for i, c in enumerate(article.companies):
        code = f" {c.code}" if c.code else ""
        for j, m in enumerate(c.mentions):
            spans.append(Span(m.start, m.end, "company", f"company: {c.name}{code}", f"company-{i}-{j}"))
    for i, t in enumerate(article.themes):
        for j, m in enumerate(t.mentions):
            spans.append(Span(m.start, m.end, "theme", f"theme: {t.name}", f"theme-{i}-{j}"))
    for i, b in enumerate(article.boards):
        spans.append(Span(b.start, b.end, "board", f"board: {b.company} {b.boards}板"
                          + (f" ({b.status})" if b.status else ""), f"board-{i}"))
    for name, ev in article.market.evidence.items():
        spans.append(Span(ev.start, ev.end, "market",
                          f"market: {fmt.stat_label(name)} = {fmt.human(getattr(article.market, name, None))}",
                          f"market-{name}"))
    for i, q in enumerate(article.market.indices):
        spans.append(Span(q.start, q.end, "market", f"index: {q.name} {fmt.human(q.close)}"
                          f" {fmt.signed(q.change_pct)}%", f"index-{i}"))
    for i, (s, e) in enumerate(hits):
        spans.append(Span(s, e, "hit", "search match", "hit" if i == 0 else f"hit-{i}"))
    return spans


def mark(text: str, spans: list[Span]) -> Markup:
    """`text` HTML-escaped, each run of characters inside spans wrapped in one <mark> whose classes name
    every covering kind; a span's anchor id sits on the run where it starts. Spans outside the text
    (a stale article) are dropped, never trusted."""
    n = len(text)
    spans = [s for s in spans if 0 <= s.start < s.end <= n]
    cuts = sorted({0, n, *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[Span]] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
    out: list[str] = []
    active: list[Span] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        piece = escape(text[a:b], quote=False)
        if not active:
            out.append(piece)
            continue
        beginning = sorted(starts.get(a, []), key=lambda s: s.kind != "hit")  # #hit is where links land
        ids = [s.anchor for s in beginning]
        extra = "".join(f'<span class="anchor" id="{escape(i)}"></span>' for i in ids[1:])
        kinds = sorted({s.kind for s in active}, key=KINDS.index)
        title = " · ".join(dict.fromkeys(s.label for s in active))
        id_attr = f' id="{escape(ids[0])}"' if ids else ""
        out.append(f'{extra}<mark class="{" ".join("k-" + k for k in kinds)}"{id_attr} '
                   f'title="{escape(title)}">{piece}</mark>')
    return Markup("".join(out))


def parse_hits(values: list[str]) -> Optional[list[tuple[int, int]]]:
    """`?hl=12-20` query values as offset pairs; None when one is malformed."""
    out = []
    for v in values:
        a, sep, b = v.partition("-")
        if not (sep and (a + b).isascii() and a.isdigit() and b.isdigit()) or int(a) >= int(b) or len(v) > 24:
            return None
        out.append((int(a), int(b)))
    return out[:50]
