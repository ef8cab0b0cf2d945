"""The look of every figure the course draws: colours, markers, hatches, sizes, PNG display.

Colours are the Okabe-Ito palette, safe for colour-blind readers, and every
series also has its own marker or hatch so that a plot reads in grey.

The sizes are made for a projector: lessons are presented as slides built
from the stored outputs, where a figure of 7 inches at 100 dpi fills about
three quarters of a 960-pixel slide. ``PRESENTATION`` sets ticks and axis
labels of 14 pt, thicker lines and larger markers; ``styled`` draws a figure
function under it, so a learner's own plots keep matplotlib's defaults.

Importing this module also lets IPython show a bare ``Figure`` as a PNG:
figures are made without pyplot, so that a notebook shows each exactly once
and none stays open, and without pyplot the inline backend is never switched on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["CHUNK_COLOURS", "EXTRA_COLOURS", "HATCHES", "LABEL_SIZE", "MARKERS", "PALETTE",
           "MAX_WIDTH", "PRESENTATION", "TICK_SIZE", "colour", "styled", "text_width"]

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "serial": "#000000",
    "pool": "#0072B2",
    "executor": "#E69F00",
    "threads": "#009E73",
    "ideal": "#999999",
}
EXTRA_COLOURS = ["#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
#: The palette without black, one colour per chunk in a timeline (white text on each).
CHUNK_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
MARKERS = {"serial": "s", "pool": "o", "executor": "^", "threads": "D"}
HATCHES = {"serial": "", "pool": "//", "executor": "..", "threads": "xx"}

TICK_SIZE = 14    # points: tick labels and axis labels
LABEL_SIZE = 12   # points: numbers written on bars, legends
TITLE_SIZE = 15

PRESENTATION = {
    "figure.dpi": 100,
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": TICK_SIZE,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "legend.fontsize": LABEL_SIZE,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "axes.linewidth": 1.2,
    "xtick.major.width": 1.2,
    "ytick.major.width": 1.2,
    "xtick.major.size": 5,
    "ytick.major.size": 5,
    "hatch.linewidth": 1.5,
    "errorbar.capsize": 5,
}


def colour(strategy: str) -> str:
    """The palette colour of a strategy; unknown ones get the remaining colours in turn."""
    if strategy in PALETTE:
        return PALETTE[strategy]
    return EXTRA_COLOURS[sum(map(ord, strategy)) % len(EXTRA_COLOURS)]


def styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Run a figure function under ``PRESENTATION`` and keep its sizes when it is drawn.

    Ticks are made again when a figure is drawn (after a log scale, for one),
    by then outside this style: the tick sizes are therefore also set on each
    axis. A title or axis label longer than its axis is wrapped onto more
    lines, and a figure whose category names would run into each other is
    made wider, up to ``MAX_WIDTH`` inches (900 pixels at 100 dpi).
    """
    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Figure:
        with mpl.rc_context(PRESENTATION):
            fig = draw(*args, **kwargs)
            for ax in fig.axes:
                ax.tick_params(which="major", labelsize=TICK_SIZE, width=1.2, length=5)
                ax.tick_params(which="minor", width=1.0, length=3)
            _fit_categories(fig)
            for ax in fig.axes:
                _fit_texts(ax, fig)
        return fig

    return wrapper


MAX_WIDTH = 9.0  # inches: 900 pixels, inside a 960-pixel slide with its margins
_AXES_SHARE = 0.82  # of the figure's width or height that an axis takes, about


def text_width(text: str, size: float) -> float:
    """The width in points of the widest line of ``text`` at ``size`` points (no drawing)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(1, 1, 72)  # at 72 dpi a pixel is a point
    prop = FontProperties(size=size)
    return max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
               for line in text.split("\n"))


def _fit_texts(ax, fig: Figure) -> None:
    """Let the title and axis labels wrap when drawn, as wide as the figure allows.

    matplotlib's own wrapping (``Text.set_wrap``) keeps the text as it was
    given, so what ``get_title()`` returns does not change.
    """
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_wrap(True)


def _fit_categories(fig: Figure) -> None:
    """Widen the figure until the names under its bars no longer touch (up to MAX_WIDTH)."""
    needed = fig.get_figwidth()
    for ax in fig.axes:
        names = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        if len(names) < 2 or any("$" in n or n.replace(".", "").replace("−", "").isdigit()
                                 for n in names):
            continue
        widest = max(text_width(n, TICK_SIZE) for n in names) + 0.8 * TICK_SIZE
        needed = max(needed, widest * len(names) / (72 * _AXES_SHARE))
    if needed > fig.get_figwidth():
        fig.set_figwidth(min(needed, MAX_WIDTH))


def _show_figures_as_png() -> None:
    """Let IPython draw a bare ``Figure`` as a PNG. Outside IPython this does nothing."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"})


_show_figures_as_png()
