"""Small charts drawn on the server as inline SVG.

A page that shows one series over time (a contractor's score, a subject's risk) needs no
JavaScript charting library: an SVG line with a tooltip per point renders in any browser,
with scripts off, in print and in the tests. (DESIGN.md names ECharts for dashboards; for
these single series, inline SVG avoids a front-end build step and a run-time asset.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe


def line_chart(
    points: Sequence[tuple[dt.date, float]],
    *,
    title: str,
    y_max: float = 100,
    bands: Sequence[tuple[float, str]] = (),
    width: int = 720,
    height: int = 220,
) -> SafeString:
    """A line of ``(day, value)`` points from 0 to ``y_max``, with dashed guide lines at
    ``bands`` (value, label) and the value and day of each point as its tooltip."""
    left, right, top, bottom = 40, 12, 16, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="#fff" stroke="#d9dee7"/>',
    ]

    def y(value: float) -> float:
        return top + inner_h * (1 - max(0.0, min(value, y_max)) / y_max)

    for tick in (0, y_max / 2, y_max):
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="#98a2b3">{tick:g}</text>'
        )
    for value, label in bands:
        parts.append(
            f'<line x1="{left}" x2="{left + inner_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#98a2b3" stroke-dasharray="4 4"/>'
            f'<text x="{left + inner_w - 4}" y="{y(value) - 3:.1f}" text-anchor="end" font-size="11" fill="#667085">'
            f"{escape(label)}</text>"
        )
    if not points:
        parts.append(
            f'<text x="{left + inner_w / 2}" y="{top + inner_h / 2}" text-anchor="middle" fill="#667085">暂无数据</text>'
        )
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return left + inner_w * ((day - first).days / span if len(points) > 1 else 0.5)

    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
    parts.append(f'<polyline fill="none" stroke="#1d4f91" stroke-width="2" points="{line}"/>')
    for d, v in points:
        parts.append(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="#1d4f91">'
            f"<title>{d.isoformat()}：{v:g}</title></circle>"
        )
    for d in sorted({first, last, points[len(points) // 2][0]}):
        anchor = "start" if d == first and len(points) > 1 else "end" if d == last and len(points) > 1 else "middle"
        parts.append(
            f'<text x="{x(d):.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="11" fill="#667085">'
            f"{d.isoformat()}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
