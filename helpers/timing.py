"""Time a call: the fastest of a few runs, with ``time.perf_counter``.

Other programs on the machine can only slow a run down, so the fastest run
is the best estimate of the cost itself (the advice of the ``timeit`` docs).
``bench`` keeps every run's time (median and spread); ``probe``, ``report``
and lesson 07 use the fastest.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence

from helpers.args import check_int

__all__ = ["serial_map", "startup_summary", "timed", "timed_result"]


def timed(fn: Callable, repeats: int, *args, timer: Callable[[], float] = time.perf_counter
          ) -> float:
    """The fastest of ``repeats`` runs of ``fn(*args)``, in seconds."""
    return timed_result(fn, repeats, *args, timer=timer)[0]


def timed_result(fn: Callable, repeats: int, *args,
                 timer: Callable[[], float] = time.perf_counter) -> tuple[float, object]:
    """The fastest time of ``repeats`` runs of ``fn(*args)`` and the last run's result.

    Raises:
        TypeError, ValueError: ``repeats`` is not an int of at least 1.
    """
    check_int("repeats", repeats, minimum=1)
    best, result = math.inf, None
    for _ in range(repeats):
        start = timer()
        result = fn(*args)
        best = min(best, timer() - start)
    return best, result


def serial_map(func: Callable, inputs) -> list:
    """``[func(x) for x in inputs]`` in this process: the baseline every pool is timed against."""
    return [func(x) for x in inputs]


def startup_summary(records: Sequence) -> dict[str, dict]:
    """Per start method: the first run, the median of the later runs, and whether a server started.

    Takes ``helpers.startmethods.StartupRecord``s (anything with ``method``, ``run``,
    ``seconds`` and ``server_started``): a start method's first pool pays for more.
    """
    if not records:
        raise ValueError("no records: pass what startup_costs returned")
    summary: dict[str, dict] = {}
    for m in dict.fromkeys(r.method for r in records):
        rows = sorted((r for r in records if r.method == m), key=lambda r: r.run)
        later = [r.seconds for r in rows[1:]] or [rows[0].seconds]
        summary[m] = {"first": rows[0].seconds, "later_median": statistics.median(later),
                      "runs": len(rows), "server_started": rows[0].server_started}
    return summary
