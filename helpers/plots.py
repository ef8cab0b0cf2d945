"""Draw what ``helpers.bench`` measured. Nothing here measures.

Each function takes records and returns a ``matplotlib.figure.Figure``, made
without pyplot so that a notebook shows it exactly once and no figure stays
open. Colours are the Okabe-Ito palette, safe for colour-blind readers, and
every series also has its own marker or hatch so the plot reads in grey.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matplotlib.figure import Figure

from helpers.bench import Record
from helpers.machine import machine_info

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "serial": "#000000",
    "pool": "#0072B2",
    "executor": "#E69F00",
    "threads": "#009E73",
    "ideal": "#999999",
}
EXTRA_COLOURS = ["#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
MARKERS = {"serial": "s", "pool": "o", "executor": "^", "threads": "D"}
HATCHES = {"serial": "", "pool": "//", "executor": "..", "threads": "xx"}


def colour(strategy: str) -> str:
    """The palette colour of a strategy; unknown ones get the remaining colours in turn."""
    if strategy in PALETTE:
        return PALETTE[strategy]
    return EXTRA_COLOURS[sum(map(ord, strategy)) % len(EXTRA_COLOURS)]


def _label(r: Record) -> str:
    return "serial" if r.strategy == "serial" else f"{r.strategy}\n{r.workers} workers"


def _cpus_title(text: str, cpus: int | None) -> str:
    cpus = machine_info().usable_cpus if cpus is None else cpus
    return f"{text} ({cpus} usable CPU{'s' if cpus != 1 else ''})"


def _require(records: Sequence[Record]) -> None:
    if not records:
        raise ValueError("no records to plot: pass what helpers.bench.compare returned")


def bar_timings(records: Iterable[Record], title: str = "Time for the same work",
                cpus: int | None = None) -> Figure:
    """Bars of the median time per strategy, with the min-max spread as error bars."""
    records = list(records)
    _require(records)
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    for i, r in enumerate(records):
        low = r.median - min(r.times)
        high = max(r.times) - r.median
        ax.bar(i, r.median, yerr=[[low], [high]], capsize=4, color=colour(r.strategy),
               hatch=HATCHES.get(r.strategy, ""), edgecolor="white")
        note = "" if r.speedup is None else f"{r.speedup:.2f}x"
        ax.annotate(note, (i, r.median), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom")
    ax.set_xticks(range(len(records)), [_label(r) for r in records])
    ax.set_ylabel("wall-clock time (s), median")
    startup = "pool start-up counted" if records[0].include_startup else "warm pool"
    ax.set_title(_cpus_title(f"{title}: {records[0].tasks} tasks, {startup}", cpus))
    ax.margins(y=0.15)
    return fig


def speedup_vs_workers(records: Iterable[Record], title: str = "Speedup against serial",
                       cpus: int | None = None) -> Figure:
    """Speedup against the number of workers, one line per strategy, with the ideal line."""
    records = [r for r in records if r.speedup is not None and r.strategy != "serial"]
    _require(records)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    most = max(r.workers for r in records)
    ax.plot([1, most], [1, most], linestyle="--", color=PALETTE["ideal"],
            label="ideal (N workers, Nx)")
    for strategy in dict.fromkeys(r.strategy for r in records):
        rows = sorted((r for r in records if r.strategy == strategy), key=lambda r: r.workers)
        ax.plot([r.workers for r in rows], [r.speedup for r in rows],
                marker=MARKERS.get(strategy, "o"), color=colour(strategy), label=strategy)
    ax.axhline(1, color=PALETTE["ideal"], linewidth=0.8)
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (serial time / time)")
    ax.set_xticks(sorted({r.workers for r in records}))
    ax.set_title(_cpus_title(title, cpus))
    ax.legend(frameon=False)
    return fig
