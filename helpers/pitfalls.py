"""Lesson 08's and 09's tools for pools that fail: a ``Pool.map`` that cannot hang.

``bounded_map`` runs ``Pool.map_async(...).get(timeout)`` and terminates the
pool on timeout, and ``alive`` tells which worker pids still run, so that a
lesson can show that nothing was left behind. Code that may hang or crash
the whole process runs in ``helpers.sandbox.run_snippet`` instead.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass

import psutil

from helpers.args import check_number


@dataclass(frozen=True)
class MapOutcome:
    """What ``bounded_map`` saw: the results, or the error, or a timeout."""

    results: list | None
    error: BaseException | None
    timed_out: bool
    seconds: float

    def verdict(self) -> str:
        if self.timed_out:
            return "no result within the time limit: the pool was terminated"
        if self.error is not None:
            return f"failed with {type(self.error).__name__}: {self.error}"
        return f"finished: {self.results}"


def bounded_map(pool, func, items, timeout: float = 3.0, chunksize: int | None = None,
                terminate: bool = True) -> MapOutcome:
    """``pool.map_async(func, items).get(timeout)``: a ``Pool.map`` that cannot hang.

    A ``multiprocessing.Pool`` whose worker died, or that cannot import the
    task's function, never delivers the result and ``pool.map`` waits forever
    (CPython bpo-22393, gh-66587). On timeout, and by default in every case,
    the pool is terminated and joined, so no worker is left behind.

    Raises:
        TypeError, ValueError: ``timeout`` is not a positive number.
    """
    check_number("timeout", timeout, positive=True, unit="seconds")
    start = time.perf_counter()
    results, error, timed_out = None, None, False
    try:
        results = pool.map_async(func, items, chunksize).get(timeout)
    except multiprocessing.TimeoutError:
        timed_out = True
    except Exception as exc:  # the task's own exception, brought back by the pool
        error = exc
    seconds = time.perf_counter() - start
    if terminate or timed_out:
        pool.terminate()
        pool.join()
    return MapOutcome(results, error, timed_out, seconds)


def alive(pids) -> list[int]:
    """The pids among ``pids`` whose process still runs (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            pass
    return out
