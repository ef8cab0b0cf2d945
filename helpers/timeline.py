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

from helpers.machine import default_start_method
from helpers.plumbing import check_sendable
from helpers.workloads import whoami

HOW = ("map", "imap", "imap_unordered", "executor")
# Okabe & Ito (2008), the course palette (helpers.plots) without black: one colour per chunk.
CHUNK_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]


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
    if how not in HOW:
        raise ValueError(f"unknown how {how!r}; choose from {', '.join(HOW)}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be at least 1, got {chunksize!r}")
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


def gantt(tl: Timeline, title: str | None = None, labels: bool = True) -> Figure:
    """One row per worker, one bar per task (coloured by chunk), idle time left blank."""
    if not tl.spans:
        raise ValueError("the timeline has no tasks to draw")
    rows = tl.rows()
    fig = Figure(figsize=(7.5, 0.6 + 0.55 * max(len(rows), 2)), layout="constrained")
    ax = fig.subplots()
    width_ms = (tl.end_ns - tl.start_ns) / 1e6
    for s in tl.spans:
        x, w = (s.start_ns - tl.start_ns) / 1e6, (s.end_ns - s.start_ns) / 1e6
        c = CHUNK_COLOURS[(s.index // tl.chunksize) % len(CHUNK_COLOURS)]
        ax.broken_barh([(x, w)], (rows[s.pid] - 0.4, 0.8), facecolors=c, edgecolor="white")
        if labels and w > width_ms / 40:
            ax.text(x + w / 2, rows[s.pid], str(s.index), ha="center", va="center",
                    fontsize=7, color="white")
    ax.axvline(width_ms, color="#000000", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), [f"worker {i + 1}" for i in range(len(rows))])
    ax.invert_yaxis()
    ax.set_xlim(0, width_ms * 1.02)
    ax.set_xlabel("time since the map started (ms); dashed line: the map returned")
    head = title or f"{tl.how}, chunksize {tl.chunksize}"
    ax.set_title(f"{head}: {len(tl.spans)} tasks on {tl.workers} workers, "
                 f"busy {tl.busy():.0%} of the time; colour = chunk, number = task")
    return fig
