"""Inline SVG charts for the territorial sheets: no script library, no network, so a sheet is
one self-contained file that renders the same in any browser and prints well."""

from __future__ import annotations

from html import escape

PALETTE = ["#1f5fa8", "#e07b39", "#3c9d5d", "#8e5ea2", "#c44e52", "#7f7f7f"]
WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 760, 230, 18, 6
SUPPRESSED = "secret"


def _fmt(value: float | None, percent: bool, decimals: int = 0) -> str:
    if value is None:
        return SUPPRESSED
    return f"{value:.1%}" if percent else f"{value:,.{decimals}f}".replace(",", "\u202f")


def _frame(title: str, height: int, body: list[str], legend: str = "") -> str:
    return (
        f'<figure><svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
        f"<figcaption>{escape(title)}{legend}</figcaption></figure>"
    )


def bar_chart(
    title: str, items: list[tuple[str, float | None]], percent: bool = False, decimals: int = 0
) -> str:
    """Horizontal bars; a suppressed value (None) is drawn as a hatched stub marked 'secret'."""
    if not items:
        return f'<p class="empty">{escape(title)}: no data.</p>'
    top = max((v for _, v in items if v is not None), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 90
    body = []
    for i, (label, value) in enumerate(items):
        y = i * (BAR_HEIGHT + GAP) + 4
        length = 4 if value is None else max(1, span * value / top)
        fill = "url(#hatch)" if value is None else PALETTE[0]
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{fill}"><title>{escape(label)}: '
            f"{_fmt(value, percent, decimals)}</title></rect>"
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 13}">'
            f"{_fmt(value, percent, decimals)}</text>"
        )
    return _frame(title, len(items) * (BAR_HEIGHT + GAP) + 8, [HATCH, *body])


def stacked_bars(title: str, rows: list[tuple[str, list[tuple[str, float]]]]) -> str:
    """One horizontal bar per row, split by series (e.g. financing class)."""
    if not rows:
        return f'<p class="empty">{escape(title)}: no data.</p>'
    series = list(dict.fromkeys(name for _, parts in rows for name, _ in parts))
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    top = max(sum(v for _, v in parts) for _, parts in rows) or 1
    span = WIDTH - LABEL_WIDTH - 90
    body = [HATCH]
    for i, (label, parts) in enumerate(rows):
        y, x = i * (BAR_HEIGHT + GAP) + 4, float(LABEL_WIDTH)
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
        )
        for name, value in parts:
            length = span * value / top
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{colour[name]}"><title>{escape(label)}, '
                f"{escape(name)}: {_fmt(value, False)}</title></rect>"
            )
            x += length
        total = sum(v for _, v in parts)
        body.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_fmt(total, False)}</text>')
    legend = "".join(
        f'<span class="key"><i style="background:{colour[n]}"></i>{escape(n)}</span>'
        for n in series
    )
    return _frame(title, len(rows) * (BAR_HEIGHT + GAP) + 8, body, f"<br>{legend}")


def bullet_chart(title: str, items: list[tuple[str, float | None, float | None, str]]) -> str:
    """Rates on a 0-100 % scale with the target as a vertical mark; colour by status."""
    if not items:
        return f'<p class="empty">{escape(title)}: no data.</p>'
    span = WIDTH - LABEL_WIDTH - 190
    colours = {"met": PALETTE[2], "missed": PALETTE[4]}
    body = [HATCH]
    for i, (label, rate, target, status) in enumerate(items):
        y = i * (BAR_HEIGHT + GAP) + 4
        length = 4 if rate is None else max(1, span * min(rate, 1))
        fill = "url(#hatch)" if rate is None else colours.get(status, PALETTE[5])
        # no rate: withheld ('secret' as status) or not measurable ('n/a', 'no_attribution')
        shown = _fmt(rate, True) if rate is not None else (status or SUPPRESSED)
        text = shown + (f" / target {target:.1%}".replace(".0%", "%") if target is not None else "")
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span}" height="{BAR_HEIGHT}" '
            f'fill="#eee"/><rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{fill}"><title>{escape(label)}: {text} '
            f"({escape(status or '')})</title></rect>"
        )
        if target is not None:
            tx = LABEL_WIDTH + span * target
            body.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + BAR_HEIGHT + 2}" '
                'stroke="#000" stroke-width="2"/>'
            )
        body.append(f'<text x="{LABEL_WIDTH + span + 6}" y="{y + 13}">{text}</text>')
    return _frame(title, len(items) * (BAR_HEIGHT + GAP) + 8, body)


HATCH = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>'
)
