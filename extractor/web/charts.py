"""Charts as inline SVG, drawn on the server: no JavaScript library, no network."""
from __future__ import annotations

import math
from html import escape
from typing import Optional

from markupsafe import Markup

from .fmt import human

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 50, 70


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _axis(values: list[float], from_zero: bool, integers: bool = False) -> tuple[float, float, list[float]]:
    lo, hi = min(values), max(values)
    if from_zero:
        lo = min(lo, 0.0)
        hi = max(hi, 0.0)
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = (lo - pad, hi + pad) if not from_zero else (lo, hi + pad)
    elif not from_zero:
        hi += 0.05 * (hi - lo)  # room for the top point's label
    step = _nice_step(hi - lo)
    if integers:
        step = max(1.0, round(step))
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    ticks = [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]
    return lo, hi, ticks


def chart(points: list[tuple[str, Optional[float]]], *, title: str, bars: bool = False) -> Markup:
    """A line chart (or, with `bars`, a bar chart) of values per labelled day; None is a gap."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           f'<text class="chart-title" x="{LEFT}" y="22">{escape(title)}</text>']
    values = [v for _, v in points if v is not None]
    if not points or not values:
        out.append(f'<text class="chart-empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
                   "no values for these days</text></svg>")
        return Markup("".join(out))
    from_zero = bars or 0 <= min(values) < 0.5 * max(values)
    lo, hi, ticks = _axis(values, from_zero, integers=bars and all(float(v).is_integer() for v in values))

    def y(v: float) -> float:
        return TOP + plot_h - (v - lo) / (hi - lo) * plot_h

    n = len(points)
    slot = plot_w / n

    def x(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    for t in ticks:
        out.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
                   f'<text class="tick" x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{escape(human(t))}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
               f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    rotate = n > 8
    for i, (label, _) in enumerate(points):
        lx, ly = x(i), TOP + plot_h + 16
        attrs = f'transform="rotate(-40 {lx:.1f} {ly:.1f})" text-anchor="end"' if rotate else 'text-anchor="middle"'
        out.append(f'<text class="xlabel" x="{lx:.1f}" y="{ly:.1f}" {attrs}>{escape(label)}</text>')
    if bars:
        width = min(48.0, slot * 0.6)
        base = y(max(lo, 0.0))
        for i, (label, v) in enumerate(points):
            if v is None:
                continue
            top = y(v)
            out.append(f'<rect class="bar" x="{x(i) - width / 2:.1f}" y="{min(top, base):.1f}" width="{width:.1f}" '
                       f'height="{abs(base - top):.1f}"><title>{escape(label)}: {escape(human(v))}</title></rect>')
    else:
        run: list[str] = []
        for i, (_, v) in enumerate(points + [("", None)]):
            if v is not None:
                run.append(f"{x(i):.1f},{y(v):.1f}")
            elif run:
                out.append(f'<polyline class="line" points="{" ".join(run)}"/>')
                run = []
        for i, (label, v) in enumerate(points):
            if v is not None:
                out.append(f'<circle class="dot" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4">'
                           f"<title>{escape(label)}: {escape(human(v))}</title></circle>")
    for i, (_, v) in enumerate(points):
        if v is not None:
            out.append(f'<text class="value" x="{x(i):.1f}" y="{y(v) - 8:.1f}" text-anchor="middle">'
                       f"{escape(human(v))}</text>")
    out.append("</svg>")
    return Markup("".join(out))
