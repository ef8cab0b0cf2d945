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


def bar_chunksizes(records: Iterable[Record], title: str = "Many tiny tasks",
                   log: bool = True, cpus: int | None = None) -> Figure:
    """Bars of the median time per record, labelled with strategy and chunksize.

    For runs that differ only in ``chunksize``: the times span orders of
    magnitude, so the axis is logarithmic by default and each bar is
    annotated with its time in ms.
    """
    records = list(records)
    _require(records)
    fig = Figure(figsize=(7, 3.8), layout="constrained")
    ax = fig.subplots()
    for i, r in enumerate(records):
        ax.bar(i, r.median, color=colour(r.strategy), hatch=HATCHES.get(r.strategy, ""),
               edgecolor="white")
        ax.annotate(f"{r.median * 1000:.0f} ms", (i, r.median), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom")
    labels = ["serial" if r.strategy == "serial" else f"{r.strategy}\nchunksize={r.chunksize}"
              for r in records]
    ax.set_xticks(range(len(records)), labels)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("wall-clock time (s), median" + (", log scale" if log else ""))
    ax.set_title(_cpus_title(f"{title}: {records[0].tasks:,} tasks", cpus))
    ax.margins(y=0.2)
    return fig


def startup_bars(records: Iterable, title: str = "Pool start-up by start method") -> Figure:
    """Bars of a pool's start-up time per start method: first run and median of later runs.

    Takes what ``helpers.startmethods.startup_costs`` returned. The first
    forkserver run also starts the server, so it gets a bar of its own.
    """
    from helpers.startmethods import startup_summary

    records = list(records)
    summary = startup_summary(records)
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    methods = list(summary)
    for i, m in enumerate(methods):
        s = summary[m]
        for offset, value, hatch, label in ((-0.2, s["first"], "//", "first run"),
                                            (0.2, s["later_median"], "", "later runs (median)")):
            ax.bar(i + offset, value * 1000, width=0.4, color=colour(m), hatch=hatch,
                   edgecolor="white", label=label if i == 0 else None)
            ax.annotate(f"{value * 1000:.0f}", (i + offset, value * 1000), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(methods)), methods)
    ax.set_ylabel("ms to create a pool, map once, close it")
    ax.set_title(f"{title} ({records[0].workers} workers)")
    ax.legend(frameon=False)
    ax.margins(y=0.15)
    return fig


def pickling_costs(costs: Iterable, title: str = "What a large argument costs") -> Figure:
    """Milliseconds against pickle size (log-log): pickle + unpickle, and one task if measured.

    Takes ``helpers.pickling.ArgumentCost`` records, one line per label.
    """
    costs = list(costs)
    if not costs:
        raise ValueError("no costs to plot: pass what helpers.pickling.pickle_cost returned")
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    for k, label in enumerate(dict.fromkeys(c.label for c in costs)):
        rows = sorted((c for c in costs if c.label == label), key=lambda c: c.nbytes)
        mb = [c.nbytes / 1e6 for c in rows]
        col = EXTRA_COLOURS[k % len(EXTRA_COLOURS)]
        ax.plot(mb, [(c.dumps_s + c.loads_s) * 1000 for c in rows], marker="o", color=col,
                label=f"{label}: pickle + unpickle")
        timed = [c for c in rows if c.task_s is not None]
        if timed:
            ax.plot([c.nbytes / 1e6 for c in timed], [c.task_s * 1000 for c in timed],
                    marker="^", linestyle="--", color=col, label=f"{label}: one task in a pool")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("size of the pickled argument (MB)")
    ax.set_ylabel("milliseconds (median)")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    return fig
