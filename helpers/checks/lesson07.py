"""Checks for lesson 07 (performance lab).

Exercise 1: ``my_chunks.py`` defines ``best_chunksize(ov, task_seconds, tasks,
workers)``: the candidate chunksize the cost model predicts fastest.
Exercise 2: ``my_sizing.py`` defines ``usable(cpu_count, affinity, quota)``,
the number of workers to start given the three counts (a None is unknown).
Exercise 3: ``my_blas.py`` defines ``one_thread()``, a Pool initializer that
limits the BLAS threads of each worker to one.
"""

from __future__ import annotations

import math
import multiprocessing as mp

from helpers import costmodel
from helpers.checks import feedback, get_function
from helpers.workloads import blas_threads

CANDIDATES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def _made_up(per_chunk: float) -> costmodel.Overheads:
    return costmodel.Overheads("spawn", 2.0, 1e-4, {"pool": per_chunk, "executor": per_chunk},
                               {"pool": 1e-7, "executor": 1e-7}, {}, 1e9)


#: (overheads, task_seconds, tasks, workers): tiny tasks want big chunks, long ones small
CHUNK_CASES = [(_made_up(1e-4), 1e-5, 1000, 2), (_made_up(5e-5), 0.01, 10, 2),
               (_made_up(2e-4), 1e-4, 300, 4)]


def expected_chunksize(ov, task_seconds: float, tasks: int, workers: int) -> int:
    """The reference answer: the candidate with the smallest predicted time (smallest on a tie)."""
    return min(CANDIDATES, key=lambda c: (costmodel.predict_time(
        ov, task_seconds, "pool", workers, c, tasks), c))


def check_chunksize(module: str = "my_chunks") -> bool:
    """``best_chunksize(ov, task_seconds, tasks, workers)`` picks the model's best candidate."""
    func = get_function(module, "best_chunksize")
    if func is None:
        return False
    for ov, seconds, tasks, workers in CHUNK_CASES:
        expected = expected_chunksize(ov, seconds, tasks, workers)
        try:
            got = func(ov, seconds, tasks, workers)
        except Exception as exc:
            return feedback(False, "", f"best_chunksize raised {type(exc).__name__}: {exc}")
        if got != expected:
            return feedback(False, "", f"for {tasks} tasks of {seconds * 1e3:g} ms on {workers} "
                            f"workers you chose {got!r}; the model prefers {expected}. Call "
                            "costmodel.predict_time for each candidate and keep the fastest.")
    return feedback(True, "you pick the chunksize the cost model predicts fastest.", "")


#: (cpu_count, affinity, quota) -> expected workers
SIZING_CASES = [
    ((8, None, None), 8),
    ((8, 4, None), 4),
    ((8, None, 2.0), 2),
    ((8, 4, 1.5), 2),
    ((64, 64, 0.5), 1),
    ((None, None, None), 1),
]


def expected_usable(cpu_count: int | None, affinity: int | None, quota: float | None) -> int:
    """The reference answer: the smallest known count, a quota rounded up, at least 1."""
    known = [c for c in (cpu_count, affinity) if c]
    if quota is not None:
        known.append(max(1, math.ceil(quota)))
    return max(1, min(known)) if known else 1


def check_sizing(module: str = "my_sizing") -> bool:
    """``usable(cpu_count, affinity, quota)`` agrees with ``expected_usable`` on every case."""
    func = get_function(module, "usable")
    if func is None:
        return False
    for args, expected in SIZING_CASES:
        try:
            got = func(*args)
        except Exception as exc:
            return feedback(False, "", f"usable{args} raised {type(exc).__name__}: {exc}. "
                            "A None means unknown: leave it out.")
        if got != expected:
            return feedback(False, "", f"usable{args} returned {got!r}, expected {expected}. "
                            "Take the smallest count you know; round a quota up; "
                            "never less than 1.")
    return feedback(True, f"all {len(SIZING_CASES)} machines sized right.", "")


def check_blas(module: str = "my_blas", start_method: str = "spawn") -> bool:
    """A pool started with ``initializer=one_thread`` reports one BLAS thread per worker."""
    init = get_function(module, "one_thread")
    if init is None:
        return False
    ctx = mp.get_context(start_method)
    try:
        with ctx.Pool(2, initializer=init) as pool:
            found = pool.map_async(blas_threads, range(4), 1).get(timeout=10)
    except Exception as exc:
        return feedback(False, "", f"the pool failed: {type(exc).__name__}: {exc}. Does "
                        "one_thread take no arguments and import what it needs?")
    return feedback(set(found) == {1}, "each worker runs BLAS on one thread.",
                    f"the workers reported {sorted(set(found))} BLAS threads. Call "
                    "threadpoolctl.threadpool_limits(limits=1) in one_thread, after "
                    "importing numpy, and keep the result in a global.")
