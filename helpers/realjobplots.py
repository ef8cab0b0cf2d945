"""Lesson 11's two own plots: when results arrive, and what each way of giving
workers a big table costs in memory. Nothing here measures (``helpers.realjob``
does); the time bars use ``helpers.plots.labelled_bars``. Both are drawn in
the course's presentation style (``helpers.plotstyle.styled``).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from helpers.plotstyle import EXTRA_COLOURS, PALETTE, styled


@styled
def arrivals(series: dict[str, Sequence[float]],
             title: str = "When each result reaches the parent") -> Figure:
    """One step line per strategy: results received so far against time (s)."""
    if not series or not all(series.values()):
        raise ValueError("need at least one strategy with at least one arrival time")
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    colours = [PALETTE["pool"], PALETTE["executor"], *EXTRA_COLOURS]
    styles = ["-", "--", ":", "-."]
    for i, (name, times) in enumerate(series.items()):
        steps = [0.0, *sorted(times)]
        ax.step(steps, range(len(steps)), where="post", label=name,
                color=colours[i % len(colours)], linestyle=styles[i % len(styles)],
                linewidth=2)
    ax.set_xlabel("seconds since the map started")
    ax.set_ylabel("results received")
    ax.set_title(title)
    ax.legend(frameon=False, loc="upper left")
    return fig


@styled
def memory_bars(ways: Sequence[str], worker_uss: Sequence[float | None],
                worker_rss: Sequence[float], parent_extra: Sequence[float],
                title: str = "Memory of one worker, and the parent's extra") -> Figure:
    """Grouped bars in MiB per way: a worker's USS and RSS, and the parent's peak extra."""
    if not ways or not len(ways) == len(worker_uss) == len(worker_rss) == len(parent_extra):
        raise ValueError("need one value of each kind per way, and at least one way")
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    groups = [("worker USS (its own)", worker_uss, PALETTE["pool"], "//"),
              ("worker RSS (with shared)", worker_rss, PALETTE["executor"], ".."),
              ("parent's extra RSS", parent_extra, PALETTE["threads"], "xx")]
    width = 0.27
    for g, (label, values, colour, hatch) in enumerate(groups):
        xs = [i + (g - 1) * width for i in range(len(ways))]
        ax.bar(xs, [(v or 0) / 2**20 for v in values], width, label=label,
               color=colour, hatch=hatch, edgecolor="white")
    ax.set_xticks(range(len(ways)), ways)
    ax.set_ylabel("MiB")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig
