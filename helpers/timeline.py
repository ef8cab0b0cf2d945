"""Record which worker ran each task, and when; draw it as a Gantt chart.

``record`` wraps the task function so that each call also returns the id of
its process and the start and end times read from ``time.time_ns()``.

Why that clock: every process on the machine reads the same system clock
through it, so times taken in different processes line up, on Linux, macOS
and Windows alike. ``time.perf_counter()`` and ``time.monotonic()`` are the
better clocks for durations, but their docs leave the reference point
undefined ("only the difference between the results of two calls is
valid"), so nothing promises they agree between processes. The price of
``time_ns``: it can jump if the system clock is set during the run (rare in
a second), and on Windows before Python 3.13 it ticks only every ~15.6 ms
(3.13 uses ``GetSystemTimePreciseAsFileTime``, gh-63207).
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.args import check_choice, check_int
from helpers.machine import default_start_method
from helpers.plotstyle import CHUNK_COLOURS, LABEL_SIZE, styled
from helpers.plumbing import check_sendable
from helpers.workloads import whoami

HOW = ("map", "imap", "imap_unordered", "executor")


@dataclass(frozen=True)
class Span:
    """One task: its position in the input, the worker's pid, start and end (ns)."""

    index: int
    pid: int
    start_ns: int
    end_ns: int


def timed_call(func: Callable, item: tuple[int, object]) -> tuple[object, Span]:
    """Run ``func(x)`` for ``item = (index, x)``; return the result and its ``Span``.

    Runs in a worker process.
    """
    index, x = item
    start = time.time_ns()
    result = func(x)
    return result, Span(index, os.getpid(), start, time.time_ns())


@dataclass(frozen=True)
class Timeline:
    """Every task's span, the whole call's start and end (ns), and how it was run."""

    spans: tuple[Span, ...]
    start_ns: int
    end_ns: int
    how: str
    workers: int
    chunksize: int

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9

    def rows(self) -> dict[int, int]:
        """pid -> row number, in the order workers started their first task."""
        first = sorted(self.spans, key=lambda s: s.start_ns)
        return {pid: i for i, pid in enumerate(dict.fromkeys(s.pid for s in first))}

    def busy(self) -> float:
        """Fraction of the pool's time (workers x wall time) spent running tasks."""
        work = sum(s.end_ns - s.start_ns for s in self.spans)
        return work / (self.workers * (self.end_ns - self.start_ns))


def record(func: Callable, inputs: Sequence, workers: int = 2, chunksize: int = 1,
           how: str = "map", start_method: str | None = None) -> tuple[list, Timeline]:
    """Run ``func`` over ``inputs`` on a new, warmed-up pool and time every task.

    Args:
        how: ``"map"``, ``"imap"``, ``"imap_unordered"`` (Pool) or ``"executor"``
            (``ProcessPoolExecutor.map``).

    Returns:
        The results in input order, and the ``Timeline``.
    """
    check_choice("how", how, HOW)
    check_int("workers", workers, minimum=1)
    check_int("chunksize", chunksize, minimum=1)
    method = start_method or default_start_method()
    check_sendable(func, method)
    ctx = mp.get_context(method)
    task = functools.partial(timed_call, func)  # a partial of top-level functions pickles
    items = list(enumerate(inputs))
    if how == "executor":
        with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            list(ex.map(whoami, range(workers * 4)))  # start every worker first
            start = time.time_ns()
            out = list(ex.map(task, items, chunksize=chunksize))
            end = time.time_ns()
    else:
        with ctx.Pool(workers) as pool:
            pool.map(whoami, range(workers * 4))
            start = time.time_ns()
            if how == "map":
                out = pool.map(task, items, chunksize)
            else:
                out = list(getattr(pool, how)(task, items, chunksize))
            end = time.time_ns()
            pool.close()
            pool.join()
    spans = sorted((span for _, span in out), key=lambda s: s.index)
    results = [r for r, _ in sorted(out, key=lambda pair: pair[1].index)]
    return results, Timeline(tuple(spans), start, end, how, workers, chunksize)


@styled
def gantt(tl: Timeline, title: str | None = None, labels: bool = True) -> Figure:
    """One row per worker, one bar per task (coloured by chunk), idle time left blank.

    Each bar shows its task's number when every bar is wide enough for its
    number at a size a room can read; otherwise a legend names the tasks of
    each colour instead.
    """
    if not tl.spans:
        raise ValueError("the timeline has no tasks to draw")
    rows = tl.rows()
    width_ms = (tl.end_ns - tl.start_ns) / 1e6
    numbered = labels and _numbers_fit(tl, width_ms, 7.5)
    # Room for two lines of title and of axis label, one row per worker, and the legend.
    legend = 0 if numbered else 0.5 + 0.3 * -(-min(_chunk_count(tl), len(CHUNK_COLOURS)) // 4)
    fig = Figure(figsize=(7.5, 1.9 + 0.55 * max(len(rows), 2) + legend), layout="constrained")
    ax = fig.subplots()
    for s in tl.spans:
        x, w = (s.start_ns - tl.start_ns) / 1e6, (s.end_ns - s.start_ns) / 1e6
        c = CHUNK_COLOURS[(s.index // tl.chunksize) % len(CHUNK_COLOURS)]
        ax.broken_barh([(x, w)], (rows[s.pid] - 0.4, 0.8), facecolors=c, edgecolor="white")
        if numbered:
            ax.text(x + w / 2, rows[s.pid], str(s.index), ha="center", va="center",
                    fontsize=LABEL_SIZE, color="white")
    ax.axvline(width_ms, color="#000000", linestyle="--", linewidth=1.5)
    ax.set_yticks(range(len(rows)), [f"worker {i + 1}" for i in range(len(rows))])
    ax.invert_yaxis()
    ax.set_xlim(0, width_ms * 1.02)
    ax.set_xlabel("time since the map started (ms); dashed line: the map returned")
    head = title or f"{tl.how}, chunksize {tl.chunksize}"
    key = "colour = chunk, number = task" if numbered else "colour = chunk"
    ax.set_title(f"{head}: {len(tl.spans)} tasks on {tl.workers} workers, "
                 f"busy {tl.busy():.0%} of the time; {key}")
    if not numbered:
        _chunk_legend(fig, tl)
    return fig


def _numbers_fit(tl: Timeline, width_ms: float, width_inches: float) -> bool:
    """Whether every bar is wide enough for its task number at ``LABEL_SIZE``."""
    axis_points = width_inches * 72 * 0.8  # the axes take about 80% of the figure's width
    for s in tl.spans:
        bar = (s.end_ns - s.start_ns) / 1e6 / (width_ms * 1.02) * axis_points
        if bar < 0.62 * LABEL_SIZE * len(str(s.index)) + 2:  # a digit is about 0.6 em
            return False
    return True


def _chunk_legend(fig: Figure, tl: Timeline) -> None:
    """A legend under the axes: which tasks each colour stands for (colours repeat)."""
    tasks = len(tl.spans)
    chunks = _chunk_count(tl)
    shown = min(chunks, len(CHUNK_COLOURS))
    handles = []
    for k in range(shown):
        first, last = k * tl.chunksize, min((k + 1) * tl.chunksize, tasks) - 1
        name = f"task {first}" if first == last else f"tasks {first}-{last}"
        handles.append(Patch(facecolor=CHUNK_COLOURS[k], label=name))
    title = "chunk colours" + (f", repeating every {shown} chunks" if chunks > shown else "")
    fig.legend(handles=handles, loc="outside lower center", ncols=min(shown, 4),
               frameon=False, title=title)


def _chunk_count(tl: Timeline) -> int:
    return -(-len(tl.spans) // tl.chunksize)
