"""Charts for the browser page, as inline SVG drawn from the report data: no script, no network, and
the same bytes for the same data. Every text from the policy files is escaped; every chart carries
a title and a description, which screen readers say in its place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape

INK = "#1d2433"
MUTED = "#5b6475"
LINE = "#d8dde6"
ACCENT = "#2b5fb4"
GOOD = "#1a7a43"
BAD = "#c53030"


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _svg(width: int, height: int, label: str, description: str, body: list[str], ident: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(label)}</title><desc id="{ident}-d">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def trajectory(ident: str, title: str, points: Sequence[tuple[dt.date, float, str]], unit: str,
               today: dt.date, *, width: int = 300, height: int = 130,
               actuals: Sequence[tuple[dt.date, float]] = ()) -> Markup:
    """A KPI's baseline and dated targets joined by the straight line between them, with today marked,
    and its actuals (when measured) as a solid line. `points` are (date, value, "baseline" | "target")."""
    left, right, top, bottom = 26, 26, 20, 22
    dates = [when for when, _, _ in points] + [today] + [when for when, _ in actuals]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    values = [value for _, value, _ in points] + [value for _, value in actuals]
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.1, 1)
    low, high = low - pad, high + pad

    def x(when: dt.date) -> float:
        return left + (width - left - right) * (when - first).days / span

    def y(value: float) -> float:
        return top + (height - top - bottom) * (high - value) / (high - low)

    suffix = "%" if unit == "%" else ""
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="{LINE}"/>']
    body.append(f'<line x1="{x(today):.1f}" y1="{top}" x2="{x(today):.1f}" y2="{height - bottom}" stroke="{MUTED}" '
                f'stroke-dasharray="2 3"/><text x="{x(today) + 3:.1f}" y="{top + 8}" font-size="10" '
                f'fill="{MUTED}">today</text>')
    if len(points) > 1:
        path = " ".join(f"{x(when):.1f},{y(value):.1f}" for when, value, _ in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="2" stroke-dasharray="6 4"/>')
    if actuals:
        line = " ".join(f"{x(when):.1f},{y(value):.1f}" for when, value in actuals)
        body.append(f'<polyline points="{line}" fill="none" stroke="{INK}" stroke-width="1.5"/>')
    for when, value, label in points:
        shape = ('<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}"/>' if label == "baseline" else
                 '<rect x="{:.1f}" y="{:.1f}" width="8" height="8" fill="{}" transform="translate(-4 -4)"/>')
        body.append(shape.format(x(when), y(value), INK if label == "baseline" else ACCENT))
        body.append(f'<text x="{x(when):.1f}" y="{y(value) - 8:.1f}" text-anchor="middle" font-size="11" fill="{INK}">'
                    f'{escape(_number(value) + suffix)}</text>')
    for when, anchor in ((first, "start"), (last, "end")):
        body.append(f'<text x="{x(when):.1f}" y="{height - bottom + 12}" text-anchor="{anchor}" font-size="11" '
                    f'fill="{MUTED}">{when.isoformat()}</text>')
    said = "; ".join(f"{label} {_number(value)}{suffix} on {when.isoformat()}" for when, value, label in points)
    if actuals:
        said += "; actual " + ", ".join(f"{_number(value)}{suffix} on {when.isoformat()}" for when, value in actuals)
    return _svg(width, height, f"{title}: baseline and targets", said or "no baseline or target", body, ident)


def drives(ident: str, leading: Sequence[tuple[str, str]], lagging: Sequence[tuple[str, str]],
           links: Sequence[tuple[str, str]], *, width: int = 680) -> Markup:
    """Leading indicators (left) and the lagging ones they move (right), an arrow for each `drives` link.
    `leading` and `lagging` are (id, title); `links` are (leading id, lagging id)."""
    row, box_height, box_width = 34, 26, 250
    height = max(len(leading), len(lagging), 1) * row + 36
    places: dict[tuple[str, str], tuple[float, float]] = {}
    body = [f'<text x="10" y="16" font-size="12" font-weight="600" fill="{INK}">Leading (levers)</text>',
            f'<text x="{width - 10}" y="16" text-anchor="end" font-size="12" font-weight="600" fill="{INK}">'
            f'Lagging (outcomes)</text>',
            f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>']
    for side, items in (("left", leading), ("right", lagging)):
        spread = (max(len(leading), len(lagging), 1) - len(items)) * row / 2  # the shorter column, centred
        for index, (kpi, title) in enumerate(items):
            top = 28 + spread + index * row
            x0 = 10 if side == "left" else width - 10 - box_width
            places[(side, kpi)] = (x0 + box_width if side == "left" else x0, top + box_height / 2)
            body.append(f'<g><title>{escape(title)}</title><rect x="{x0}" y="{top}" width="{box_width}" '
                        f'height="{box_height}" rx="5" fill="#ffffff" stroke="{LINE}"/>'
                        f'<text x="{x0 + 8}" y="{top + 17}" font-size="12" fill="{INK}">{escape(_short(title, 36))}</text></g>')
    for source, target in links:
        start, end = places.get(("left", source)), places.get(("right", target))
        if start and end:
            body.append(f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0] - 2:.1f}" y2="{end[1]:.1f}" '
                        f'stroke="{MUTED}" stroke-width="1.5" marker-end="url(#{ident}-arrow)"/>')
    titles = dict([*leading, *lagging])
    said = "; ".join(f"{titles.get(s, s)} drives {titles.get(t, t)}" for s, t in links)
    return _svg(width, height, "Which leading indicators drive which outcomes", said or "no drives links", body, ident)


def history(ident: str, title: str, series: Sequence[tuple[str, Sequence[float | None], str]],
            labels: Sequence[str], *, width: int = 560, height: int = 190, percent: bool = True,
            dashed: frozenset[str] = frozenset(), legend_below: bool = False) -> Markup:
    """Lines over revisions: `series` are (name, values per revision, colour); `labels` name the revisions
    (dates). Values are shares in percent when `percent`, else counts. The legend stands at the right,
    or, for a narrow chart, `legend_below` the plot, a line per series, so that long names fit."""
    left, right, top, bottom = 44, 120, 14, 30
    plot_height = height
    if legend_below:
        right, height = 12, height + 18 * len(series) + 4
    count = max(len(labels), 1)
    values = [v for _, vs, _ in series for v in vs if v is not None]
    high = 100.0 if percent else max(values + [1.0])
    low = min(50.0, (min(values, default=0.0) // 10) * 10) if percent else 0.0

    def x(index: int) -> float:
        return left + (width - left - right) * (index / (count - 1) if count > 1 else 0.5)

    def y(value: float) -> float:
        return top + (plot_height - top - bottom) * (high - value) / ((high - low) or 1)

    body = [f'<line x1="{left}" y1="{plot_height - bottom}" x2="{width - right}" y2="{plot_height - bottom}" '
            f'stroke="{LINE}"/>']
    for value in (low, high):
        body.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                    f'{_number(value)}{"%" if percent else ""}</text>')
    for index in sorted({0, count - 1}):
        if labels:
            body.append(f'<text x="{x(index):.1f}" y="{plot_height - bottom + 14}" text-anchor="{"start" if index == 0 else "end"}" '
                        f'font-size="11" fill="{MUTED}">{escape(labels[index])}</text>')
    for position, (name, points, colour) in enumerate(series):
        drawn = [(x(i), y(v)) for i, v in enumerate(points) if v is not None]
        if len(drawn) > 1:
            dash = ' stroke-dasharray="6 4"' if name in dashed else ""
            body.append(f'<polyline points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in drawn)}" fill="none" '
                        f'stroke="{colour}" stroke-width="2"{dash}/>')
        for a, b in drawn:
            body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{colour}"/>')
        key_x, key_y, room = ((left, plot_height + position * 18, (width - left - 16) // 7) if legend_below
                              else (width - right + 10, top + position * 18, 16))
        body.append(f'<rect x="{key_x}" y="{key_y}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{key_x + 16}" y="{key_y + 9}" font-size="11" fill="{INK}">'
                    f'{escape(_short(name, room))}</text>')
    said = "; ".join(f"{name}: " + ", ".join("none" if v is None else _number(v) for v in points)
                     for name, points, _ in series)
    return _svg(width, height, title, said, body, ident)
