"""Inline SVG charts for the territorial sheets: no script library, no network, so a sheet is
one self-contained file that renders the same in any browser and prints well. Words and numbers
are French (the sheets' readers); each chart has its title above and its unit on its axis, and
a label may carry the code behind it, shown in its tooltip."""

from __future__ import annotations

from html import escape

from publication.french import Label, number, percent

PALETTE = ["#1f5fa8", "#e07b39", "#3c9d5d", "#8e5ea2", "#c44e52", "#7f7f7f"]
PLOT, BAR_HEIGHT, GAP = 530, 18, 6  # the bars' area right of the labels, in pixels
SUPPRESSED = "secret"


AXIS = 22  # height of the unit line under the bars


def _fmt(value: float | None, as_percent: bool, decimals: int = 0) -> str:
    if value is None:
        return SUPPRESSED
    return percent(value) if as_percent else number(value, decimals)


def _label(label: Label | str) -> tuple[str, str]:
    """(text shown, tooltip): a code list's label keeps its code in the tooltip."""
    return (label.text, label.tooltip) if isinstance(label, Label) else (label, label)


def _label_width(labels) -> int:
    """Room for the longest label (12 px text, about 6.6 px a character), so none is cut."""
    longest = max((len(_label(label)[0]) for label in labels), default=10)
    return int(min(460, max(120, 6.6 * longest + 16)))


def _frame(
    title: str, unit: str, height: int, body: list[str], below: str = "", lw: int = 230
) -> str:
    """The title above the chart, the unit on its value axis (the line under the bars)."""
    LABEL_WIDTH, WIDTH = lw, lw + PLOT  # noqa: N806 - the chart's geometry
    axis = (
        f'<line x1="{LABEL_WIDTH}" x2="{WIDTH - 90}" y1="{height + 4}" y2="{height + 4}" '
        f'stroke="#999"/><text class="unit" x="{WIDTH - 90}" y="{height + 18}" '
        f'text-anchor="end">{escape(unit)}</text>'
    )
    return (
        f'<figure><p class="chart-title">{escape(title)}</p>'
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height + AXIS}" width="{WIDTH}" '
        f'height="{height + AXIS}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}{axis}</svg>{below}</figure>"
    )


def _empty(title: str) -> str:
    return f'<p class="empty">{escape(title)} : aucune donnée.</p>'


def bar_chart(
    title: str,
    unit: str,
    items: list[tuple[Label | str, float | str | None]],
    as_percent: bool = False,
    decimals: int = 0,
) -> str:
    """Horizontal bars; a suppressed value (None) is drawn as a hatched stub marked 'secret',
    a value that does not exist as a grey stub with the reason given (a str)."""
    if not items:
        return _empty(title)
    LABEL_WIDTH = _label_width(label for label, _ in items)  # noqa: N806
    top = max((v for _, v in items if isinstance(v, int | float)), default=0) or 1
    span = PLOT - 90
    body = []
    for i, (label, value) in enumerate(items):
        text, tip = _label(label)
        y = i * (BAR_HEIGHT + GAP) + 4
        measured = isinstance(value, int | float)
        length = max(1, span * value / top) if measured else 4
        fill = PALETTE[0] if measured else "url(#hatch)" if value is None else "#ccc"
        shown = _fmt(value, as_percent, decimals) if value is None or measured else value
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(text)}'
            f'<title>{escape(tip)}</title></text><rect class="bar" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{length:.1f}" height="{BAR_HEIGHT}" fill="{fill}"><title>{escape(tip)} : '
            f'{shown}</title></rect><text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 13}">'
            f"{shown}</text>"
        )
    height = len(items) * (BAR_HEIGHT + GAP) + 8
    return _frame(title, unit, height, [HATCH, *body], lw=LABEL_WIDTH)


def stacked_bars(
    title: str, unit: str, rows: list[tuple[str, list[tuple[Label | str, float]]]]
) -> str:
    """One horizontal bar per row, split by series (e.g. financing class); every part's value
    is written in its segment when it fits, and all of them in the table under the chart."""
    if not rows:
        return _empty(title)
    series = list(dict.fromkeys(_label(name)[0] for _, parts in rows for name, _ in parts))
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    LABEL_WIDTH = _label_width(label for label, _ in rows)  # noqa: N806
    top = max(sum(v for _, v in parts) for _, parts in rows) or 1
    span = PLOT - 90
    body, values = [HATCH], {}
    for i, (label, parts) in enumerate(rows):
        y, x = i * (BAR_HEIGHT + GAP) + 4, float(LABEL_WIDTH)
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
        )
        for name, value in parts:
            text, tip = _label(name)
            values[(label, text)] = value
            length = span * value / top
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{colour[text]}"><title>{escape(label)}, '
                f"{escape(tip)} : {_fmt(value, False)}</title></rect>"
            )
            if length >= 8 * len(_fmt(value, False)) + 6:  # the value fits in its segment
                body.append(
                    f'<text class="in-bar" x="{x + length / 2:.1f}" y="{y + 13}" '
                    f'text-anchor="middle" fill="#fff">{_fmt(value, False)}</text>'
                )
            x += length
        total = sum(v for _, v in parts)
        body.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_fmt(total, False)}</text>')
    head = "".join(
        f'<th><span class="key"><i style="background:{colour[n]}"></i>{escape(n)}</span></th>'
        for n in series
    )
    lines = "".join(
        f"<tr><td>{escape(label)}</td>"
        + "".join(f"<td>{_fmt(values.get((label, n)), False)}</td>" for n in series)
        + f"<td>{_fmt(sum(v for _, v in parts), False)}</td></tr>"
        for label, parts in rows
    )
    table = (
        f'<table class="chart-values"><thead><tr><th></th>{head}<th>Total</th></tr></thead>'
        f"<tbody>{lines}</tbody></table>"
    )
    height = len(rows) * (BAR_HEIGHT + GAP) + 8
    return _frame(title, unit, height, body, table, lw=LABEL_WIDTH)


def bullet_chart(
    title: str, items: list[tuple[Label | str, float | None, float | None, Label | None]]
) -> str:
    """Rates on a 0-100 % scale with the target as a vertical mark; colour by status (a Label
    of the statuses, None when the rate is withheld)."""
    if not items:
        return _empty(title)
    LABEL_WIDTH = _label_width(label for label, *_ in items)  # noqa: N806
    span = PLOT - 190
    colours = {"met": PALETTE[2], "missed": PALETTE[4]}
    body = [HATCH]
    for i, (label, rate, target, status) in enumerate(items):
        text, tip = _label(label)
        y = i * (BAR_HEIGHT + GAP) + 4
        length = 4 if rate is None else max(1, span * min(rate, 1))
        code = status.code if status else ""
        fill = "url(#hatch)" if rate is None else colours.get(code, PALETTE[5])
        # no rate: withheld ('secret') or not measurable ('sans objet', 'aucune attribution')
        shown = _fmt(rate, True) if rate is not None else (status.text if status else SUPPRESSED)
        said = shown + (f" / cible {percent(target)}" if target is not None else "")
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(text)}'
            f'<title>{escape(tip)}</title></text><rect x="{LABEL_WIDTH}" y="{y}" '
            f'width="{span}" height="{BAR_HEIGHT}" fill="#eee"/><rect class="bar" '
            f'x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{fill}"><title>{escape(tip)} : {said}'
            f"{f' ({escape(status.text)})' if status else ''}</title></rect>"
        )
        if target is not None:
            tx = LABEL_WIDTH + span * target
            body.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y - 2}" y2="{y + BAR_HEIGHT + 2}" '
                'stroke="#000" stroke-width="2"/>'
            )
        body.append(f'<text x="{LABEL_WIDTH + span + 6}" y="{y + 13}">{said}</text>')
    return _frame(
        title,
        "part des attributions, de 0 à 100 % (trait noir : cible)",
        len(items) * (BAR_HEIGHT + GAP) + 8,
        body,
        lw=LABEL_WIDTH,
    )


HATCH = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ddd"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>'
)
