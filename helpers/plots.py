"""Draw what ``helpers.bench`` measured. Nothing here measures.

Each function takes records and returns a ``matplotlib.figure.Figure``, made
without pyplot so that a notebook shows it exactly once and no figure stays
open. The look (Okabe-Ito colours, a marker or hatch per series, sizes that
read on a projector, PNG display) is ``helpers.plotstyle``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matplotlib.figure import Figure

from helpers.bench import Record
from helpers.machine import machine_info
from helpers.plotstyle import EXTRA_COLOURS, HATCHES, MARKERS, PALETTE, colour, styled
from helpers.timing import startup_summary
from helpers.units import duration


def _label(r: Record) -> str:
    if r.strategy == "serial":
        return "serial"
    return f"{r.strategy}\n{r.workers} worker{'s' if r.workers != 1 else ''}"


def _cpus_title(text: str, cpus: int | None) -> str:
    cpus = machine_info().usable_cpus if cpus is None else cpus
    return f"{text} ({cpus} usable CPU{'s' if cpus != 1 else ''})"


def _log_log(ax, xlabel: str, ylabel: str, title: str) -> None:
    """Both axes on log scales, labelled, with a title and a frameless legend."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False)


def _require(records: Sequence[Record]) -> None:
    if not records:
        raise ValueError("no records to plot: pass what helpers.bench.compare returned")


@styled
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
        ax.annotate(note, (i, max(r.times)), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom")
    ax.set_xticks(range(len(records)), [_label(r) for r in records])
    ax.set_ylabel("wall-clock time (s), median")
    startup = "pool start-up counted" if records[0].include_startup else "warm pool"
    ax.set_title(_cpus_title(f"{title}: {records[0].tasks} tasks, {startup}", cpus))
    ax.margins(y=0.15)
    return fig


@styled
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
    ax.axhline(1, color=PALETTE["ideal"], linewidth=1.5)
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (serial time / time)")
    ax.set_xticks(sorted({r.workers for r in records}))
    ax.set_title(_cpus_title(title, cpus))
    ax.legend(frameon=False)
    return fig


@styled
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


@styled
def startup_bars(records: Iterable, title: str = "Pool start-up by start method") -> Figure:
    """Bars of a pool's start-up time per start method: first run and median of later runs.

    Takes what ``helpers.startmethods.startup_costs`` returned. The first
    forkserver run also starts the server, so it gets a bar of its own.
    """
    records = list(records)
    summary = startup_summary(records)
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    methods = list(summary)
    for i, m in enumerate(methods):
        s = summary[m]
        for offset, value, hatch, label in ((-0.2, s["first"], "//", "first run"),
                                            (0.2, s["later_median"], "", "later runs (median)")):
            ax.bar(i + offset, value * 1000, width=0.4, hatch=hatch,
                   color=EXTRA_COLOURS[i % len(EXTRA_COLOURS)],
                   edgecolor="white", label=label if i == 0 else None)
            ax.annotate(f"{value * 1000:.0f}", (i + offset, value * 1000), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom")
    ax.set_xticks(range(len(methods)), methods)
    ax.set_ylabel("ms: create a pool, map once, close")
    ax.set_title(f"{title} ({records[0].workers} workers)")
    ax.legend(frameon=False)
    ax.margins(y=0.15)
    return fig


@styled
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
        pickled, task = (("o", "^"), ("s", "v"), ("D", "P"), ("X", "*"))[k % 4]
        ax.plot(mb, [(c.dumps_s + c.loads_s) * 1000 for c in rows], marker=pickled, color=col,
                label=f"{label}: pickle + unpickle")
        timed = [c for c in rows if c.task_s is not None]
        if timed:
            ax.plot([c.nbytes / 1e6 for c in timed], [c.task_s * 1000 for c in timed],
                    marker=task, linestyle="--", color=col, label=f"{label}: one task in a pool")
    _log_log(ax, "size of the pickled argument (MB)", "milliseconds (median)", title)
    return fig


@styled
def strategy_overview(records: Iterable[Record], title: str = "One workload, every tool",
                      cpus: int | None = None) -> Figure:
    """Horizontal bars of the median time per record on a log scale, fastest on top.

    A log scale, because compiled and vectorised code can be hundreds of times
    faster than the pool, which would leave their bars invisible on a linear one.
    Each bar is labelled with its speedup against serial.
    """
    records = sorted(records, key=lambda r: r.median, reverse=True)
    _require(records)
    fig = Figure(figsize=(7, 0.45 * len(records) + 1.4), layout="constrained")
    ax = fig.subplots()
    palette = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
               "#D55E00", "#CC79A7"]  # Okabe-Ito, in its own order
    hatches = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
    for i, r in enumerate(records):
        ax.barh(i, r.median, color=palette[i % len(palette)], edgecolor="white",
                hatch=hatches[i // len(palette) % len(hatches)])
        note = "" if r.speedup is None else f" {r.speedup:.3g}x"
        ax.annotate(note, (r.median, i), xytext=(3, 0), textcoords="offset points",
                    va="center")
    labels = [r.strategy if r.workers == 1 else f"{r.strategy} x{r.workers}" for r in records]
    ax.set_yticks(range(len(records)), labels)
    ax.set_xscale("log")
    ax.set_xlabel("wall-clock time (s), median, log scale")
    ax.set_title(_cpus_title(f"{title}: {records[0].tasks} tasks", cpus))
    ax.margins(x=0.25)
    return fig


# --- Lesson 07: crossover, cost model, chunksize, workers (samples from helpers.costmodel) ---

@styled
def crossover(samples: Sequence, marks: dict[str, float | None] | None = None,
              title: str = "When do processes pay off?") -> Figure:
    """Time per task against task duration (log-log), one line per strategy.

    ``samples`` are ``helpers.costmodel.Sample``; ``marks`` maps a strategy to
    the crossover task time drawn as a vertical line (None: not reached).
    """
    samples = list(samples)
    _require(samples)
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.subplots()
    for strategy in dict.fromkeys(s.strategy for s in samples):
        rows = sorted((s for s in samples if s.strategy == strategy),
                      key=lambda s: s.size)
        ax.plot([s.task_seconds for s in rows], [s.measured / s.tasks for s in rows],
                marker=MARKERS.get(strategy, "o"), color=colour(strategy), label=strategy)
    styles = [":", "-.", (0, (5, 2, 1, 2)), (0, (1, 3))]
    for i, (strategy, at) in enumerate((marks or {}).items()):
        if at is not None:  # each mark its own line style: readable without colour
            ax.axvline(at, color=colour(strategy), linestyle=styles[i % len(styles)],
                       linewidth=1.5, label=f"{strategy} wins above {at * 1e3:.3g} ms")
    _log_log(ax, "duration of one task, serial (s)", "wall-clock time per task (s)",
             _cpus_title(f"{title} Warm pools, each API's default chunksize", None))
    return fig


@styled
def model_fit(samples: Sequence, band: float = 0.2,
              title: str = "Cost model: predicted against measured") -> Figure:
    """Predicted against measured time (log-log) with the ideal line and a +-band."""
    samples = [s for s in samples if s.strategy != "serial"]
    _require(samples)
    fig = Figure(figsize=(5.6, 4.6), layout="constrained")
    ax = fig.subplots()
    low = min(min(s.measured, s.predicted) for s in samples) * 0.8
    high = max(max(s.measured, s.predicted) for s in samples) * 1.25
    ax.plot([low, high], [low, high], color=PALETTE["ideal"], label="prediction = measurement")
    ax.fill_between([low, high], [low * (1 - band), high * (1 - band)],
                    [low * (1 + band), high * (1 + band)], color=PALETTE["ideal"],
                    alpha=0.2, label=f"within ±{band:.0%}")
    for strategy in dict.fromkeys(s.strategy for s in samples):
        rows = [s for s in samples if s.strategy == strategy]
        ax.scatter([s.measured for s in rows], [s.predicted for s in rows],
                   marker=MARKERS.get(strategy, "o"), color=colour(strategy), label=strategy)
    _log_log(ax, "measured (s), fastest of the repeats", "predicted (s)", title)
    return fig


@styled
def chunksize_sweep(samples: Sequence, title: str = "Chunksize decides the overhead") -> Figure:
    """Measured (solid) and predicted (dashed) time against chunksize, per strategy."""
    samples = [s for s in samples if s.strategy != "serial" and s.chunksize]
    _require(samples)
    fig = Figure(figsize=(6.5, 4), layout="constrained")
    ax = fig.subplots()
    for strategy in dict.fromkeys(s.strategy for s in samples):
        rows = sorted((s for s in samples if s.strategy == strategy), key=lambda s: s.chunksize)
        xs = [s.chunksize for s in rows]
        ax.plot(xs, [s.measured for s in rows], marker=MARKERS.get(strategy, "o"),
                color=colour(strategy), label=f"{strategy}, measured")
        ax.plot(xs, [s.predicted for s in rows], linestyle="--", color=colour(strategy),
                marker=MARKERS.get(strategy, "o"), fillstyle="none",
                label=f"{strategy}, cost model")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("chunksize (tasks sent together)")
    ax.set_ylabel("wall-clock time (s)")
    s = samples[0]
    ax.set_title(f"{title}: {s.tasks} tasks of {s.task_seconds * 1e6:.3g} µs, "
                 f"{s.workers} workers")
    ax.legend(frameon=False)
    return fig


@styled
def amdahl(workers: Sequence[int], speedups: Sequence[float], parallel_fraction: float,
           cpus: int, title: str = "How many workers?") -> Figure:
    """Measured speedup per worker count, the fitted Amdahl curve and the CPU count."""
    if not workers:
        raise ValueError("no worker counts to plot")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    most = max(workers)
    ax.plot([1, most], [1, most], linestyle="--", color=PALETTE["ideal"],
            label="ideal (N workers, Nx)")
    grid = list(range(1, most + 1))
    p = parallel_fraction
    ax.plot(grid, [1 / ((1 - p) + p / min(w, cpus)) for w in grid], color=PALETTE["executor"],
            label=f"Amdahl fit, parallel fraction {p:.3f}")
    ax.plot(workers, speedups, marker="o", linestyle="", color=PALETTE["pool"],
            label="measured (Pool.map, warm)")
    ax.axvline(cpus, color=PALETTE["serial"], linewidth=1.5, linestyle=":",
               label=f"{cpus} usable CPUs")
    ax.set_xticks(grid)
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (serial time / time)")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


@styled
def labelled_bars(labels: Sequence[str], seconds: Sequence[float], title: str,
                  note: Sequence[str] | None = None) -> Figure:
    """Plain bars of times with a label under each and an optional note on top."""
    if not labels or len(labels) != len(seconds):
        raise ValueError("need one time per label, and at least one")
    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.subplots()
    colours = [PALETTE["serial"], PALETTE["pool"], PALETTE["executor"], *EXTRA_COLOURS]
    hatches = ["", "//", "..", "xx", "\\\\", "++", "oo"]
    for i, t in enumerate(seconds):
        ax.bar(i, t, color=colours[i % len(colours)], hatch=hatches[i % len(hatches)],
               edgecolor="white")
        if note:
            ax.annotate(note[i], (i, t), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylabel("wall-clock time (s)")
    ax.set_title(title)
    ax.margins(y=0.15)
    return fig


@styled
def throughput_bars(rates: Sequence, title: str = "Queue and Pipe throughput") -> Figure:
    """Two panels, messages/s and MB/s, one group per message size, Queue vs Pipe.

    ``rates`` are ``helpers.messaging.Rate`` objects (anything with ``kind``,
    ``size``, ``messages_per_s`` and ``mb_per_s``).
    """
    rates = list(rates)
    if not rates:
        raise ValueError("no rates to plot: pass what helpers.messaging.throughput returned")
    sizes = sorted({r.size for r in rates})
    kinds = list(dict.fromkeys(r.kind for r in rates))
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    axes = fig.subplots(1, 2)
    width = 0.8 / len(kinds)
    styles = [(PALETTE["pool"], "//"), (PALETTE["executor"], ".."), *[(c, "") for c in
                                                                       EXTRA_COLOURS]]
    for ax, attr, label in ((axes[0], "messages_per_s", "messages per second"),
                            (axes[1], "mb_per_s", "MB per second")):
        for k, kind in enumerate(kinds):
            colour_, hatch = styles[k % len(styles)]
            values = [next((getattr(r, attr) for r in rates if r.kind == kind and r.size == s),
                           0.0) for s in sizes]
            ax.bar([i + (k - (len(kinds) - 1) / 2) * width for i in range(len(sizes))], values,
                   width, color=colour_, hatch=hatch, edgecolor="white", label=kind)
        ax.set_xticks(range(len(sizes)), [_bytes_label(s) for s in sizes])
        ax.set_xlabel("message size")
        ax.set_ylabel(label)
        ax.set_yscale("log")
    axes[0].legend(frameon=False)
    fig.suptitle(title)
    return fig


def _bytes_label(n: int) -> str:
    for unit, scale in (("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} B"


@styled
def log_barh(labels: Sequence[str], seconds: Sequence[float], title: str,
             xlabel: str = "seconds (log scale)") -> Figure:
    """Horizontal bars on a log scale, for times that differ by orders of magnitude."""
    from matplotlib.ticker import NullFormatter

    if not labels or len(labels) != len(seconds):
        raise ValueError("need one time per label, and at least one")
    fig = Figure(figsize=(7, 0.6 * len(labels) + 1.4), layout="constrained")
    ax = fig.subplots()
    colours = [PALETTE["serial"], PALETTE["pool"], PALETTE["executor"], *EXTRA_COLOURS]
    hatches = ["", "//", "..", "xx", "\\\\", "++"]
    for i, t in enumerate(seconds):
        ax.barh(i, t, color=colours[i % len(colours)], hatch=hatches[i % len(hatches)],
                edgecolor="white")
        ax.annotate(duration(t), (t, i), xytext=(4, 0), textcoords="offset points", va="center")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # only decades: minor labels overlap
    ax.margins(x=0.25)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig
