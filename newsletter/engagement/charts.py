"""Small charts drawn on the server as SVG: bars (clicks per rank, the position curve) and
lines (clicks per hour, subscribers per day).

They take their colours from the page: ``currentColor`` (the text colour) and the Wagtail
admin's CSS variables, so they read in the light and the dark theme alike. Each chart is an
image with a title for screen readers (``role="img"``, ``aria-labelledby``); the page puts a
table of the same numbers beside it, which is what a screen reader should read.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP, RIGHT = 48, 28, 12, 12
# The admin's own colours, with fallbacks outside it.
COLOURS = (
    "var(--w-color-secondary, currentColor)",
    "var(--w-color-text-meta, currentColor)",
    "var(--w-color-critical-200, currentColor)",
    "var(--w-color-warning-100, currentColor)",
)


def _scale(values):
    top = max([value or 0 for value in values] + [0])
    return top if top > 0 else 1


def _frame(chart_id, title, body, top, value_format):
    """The SVG around ``body``: title, axis and the top value's label."""
    plot_bottom = HEIGHT - BOTTOM
    return mark_safe(
        f'<svg class="report-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg" '
        f'style="max-inline-size: 100%; block-size: auto; color: inherit">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<g fill="currentColor" font-size="12">'
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(value_format(top))}</text>'
        f'<text x="{LEFT - 6}" y="{plot_bottom}" text-anchor="end">0</text></g>'
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{WIDTH - RIGHT}" y2="{plot_bottom}" '
        f'stroke="currentColor" stroke-opacity="0.5"/>'
        f"{body}</svg>"
    )


def bar_chart(chart_id, title, labels, values, *, value_format=str):
    """One bar per label (None: no bar), the labels under them."""
    top = _scale(values)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(values), 1)
    parts = []
    for number, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + number * step
        height = (value or 0) / top * plot_height
        if value:
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                f'width="{step * 0.7:.1f}" height="{height:.1f}" fill="{COLOURS[0]}">'
                f"<title>{escape(label)}: {escape(value_format(value))}</title></rect>"
            )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'fill="currentColor" font-size="12">{escape(label)}</text>'
        )
    return _frame(chart_id, title, "".join(parts), top, value_format)


def line_chart(chart_id, title, labels, series, *, value_format=str, every=1):
    """One line per (name, values) of ``series``; every ``every``-th label is written."""
    top = _scale([value for _name, values in series for value in values])
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(labels) - 1, 1)
    parts = []
    for number, label in enumerate(labels):
        if number % every == 0:
            parts.append(
                f'<text x="{LEFT + number * step:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
                f'fill="currentColor" font-size="12">{escape(label)}</text>'
            )
    for index, (name, values) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{LEFT + number * step:.1f},{HEIGHT - BOTTOM - (value or 0) / top * plot_height:.1f}"
            for number, value in enumerate(values)
        )
        dash = "" if index == 0 else ' stroke-dasharray="6 3"'
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}>'
            f"<title>{escape(name)}</title></polyline>"
        )
    return _frame(chart_id, title, "".join(parts), top, value_format)


def percent(rate):
    return "-" if rate is None else f"{rate * 100:.1f}%"
