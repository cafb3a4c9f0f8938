"""The digest's picture: the weekly share of decisions with a customer rationale, as a PNG bar chart.

Drawn with matplotlib's object-oriented API on the Agg canvas: no pyplot, no global figure state, no
display, so it is safe on a server thread. matplotlib is imported on first use, keeping it out of
every other command's start-up.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.digest import WeekShare

WIDTH, HEIGHT, DPI = 800, 320, 100  # pixels
BAR = "#2e7d32"
NO_DATA = "#9e9e9e"
TITLE = "Decisions with a customer rationale, by week"


def describe(trend: Sequence[WeekShare]) -> str:
    """The chart in words (its alt text, and the PNG's Description): every week's share."""
    weeks = ", ".join(f"{w.week} {round(w.share * 100)}%" if w.share is not None else f"{w.week} no decisions"
                      for w in trend)
    return f"{TITLE}: {weeks}."


def share_chart(trend: Sequence[WeekShare]) -> bytes:
    """A WIDTH × HEIGHT PNG of the weekly shares, oldest week on the left; weeks without decisions
    are marked "no decisions". The words of `describe()` are kept in the file's Description."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(trend)))
    values = [w.share * 100 if w.share is not None else 0.0 for w in trend]
    bars = axes.bar(positions, values, width=0.6, color=BAR)
    for bar, week in zip(bars, trend, strict=True):
        if week.share is None:
            axes.text(bar.get_x() + bar.get_width() / 2, 2, "no\ndecisions", ha="center", va="bottom",
                      fontsize=7, color=NO_DATA)
        else:
            axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 2, f"{round(week.share * 100)}%",
                      ha="center", va="bottom", fontsize=8)
    axes.set_ylim(0, 110)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    axes.set_xticks(positions, [w.week.replace("-W", "\nW") for w in trend], fontsize=8)
    axes.set_xlim(-0.6, max(len(trend), 1) - 0.4)
    axes.set_title(TITLE, fontsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Title": TITLE, "Description": describe(trend), "Software": None})
    return out.getvalue()


def compact(png: bytes, colours: int = 16) -> bytes:
    """The same picture in a few colours (a palette PNG, about a quarter of the size): for platforms that
    carry the image inside the message, such as a Teams card (which must stay under about 28 KB)."""
    from PIL import Image  # matplotlib's own dependency

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colours).save(out, format="PNG", optimize=True)
    return out.getvalue()
