"""Checks for lesson 07 (performance lab).

Exercise 1: ``my_chunks.py`` defines ``best_chunksize(ov, task_seconds, tasks,
workers)``: the candidate chunksize the cost model predicts fastest for
``Pool.map``, the smallest on a tie.
Exercise 2: ``my_sizing.py`` defines ``usable(cpu_count, affinity, quota)``,
the number of workers to start given the three counts (a None is unknown).
Exercise 3: ``my_blas.py`` defines ``one_thread()``, a Pool initializer that
limits the BLAS threads of each worker to one, under every start method.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import warnings

from helpers import costmodel
from helpers.checks import feedback, get_function
from helpers.workloads import blas_threads

CANDIDATES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def _made_up(per_chunk: float, executor_per_chunk: float | None = None) -> costmodel.Overheads:
    """Overheads of an imaginary machine; the executor's may differ from the pool's."""
    ex = per_chunk if executor_per_chunk is None else executor_per_chunk
    return costmodel.Overheads("spawn", 2.0, {"pool": 1e-4, "executor": 3e-4},
                               {"pool": per_chunk, "executor": ex},
                               {"pool": 1e-7, "executor": 1e-7}, {}, 1e9)


#: (overheads, task_seconds, tasks, workers). Tiny tasks want big chunks, long
#: ones small; in the first two several candidates tie (the smallest is the
#: answer), and in the third the executor's costs would give another answer.
CHUNK_CASES = [
    (_made_up(1e-4, 3e-4), 1e-3, 3, 1),
    (_made_up(5e-5, 2e-4), 1e-5, 20, 1),
    (_made_up(1e-5, 1e-4), 1e-4, 400, 2),
    (_made_up(1e-4), 1e-5, 1000, 2),
    (_made_up(5e-5), 0.01, 10, 2),
]


def _predicted(ov, task_seconds: float, tasks: int, workers: int, strategy: str = "pool"):
    return {c: costmodel.predict_time(ov, task_seconds, strategy, workers, c, tasks)
            for c in CANDIDATES}


def _best(times: dict[int, float], largest: bool = False) -> int:
    """The fastest candidate; on a tie the smallest (or the largest, a ``<=`` loop's pick)."""
    fastest = min(times.values())
    ties = [c for c in CANDIDATES if times[c] == fastest]
    return ties[-1] if largest else ties[0]


def expected_chunksize(ov, task_seconds: float, tasks: int, workers: int) -> int:
    """The reference answer: the candidate with the smallest predicted time (smallest on a tie)."""
    return _best(_predicted(ov, task_seconds, tasks, workers))


def check_chunksize(module: str = "my_chunks", func=None) -> bool:
    """``best_chunksize(ov, task_seconds, tasks, workers)`` picks the model's best candidate.

    Every case is tried; when the answers are those of a ``<=`` tie-break, or
    of the executor's costs instead of the pool's, the hint says so.
    ``func`` checks a function directly (a solution) instead of the learner's module.
    """
    func = func or get_function(module, "best_chunksize")
    if func is None:
        return False
    got, right, ties, executor = [], [], [], []
    for ov, seconds, tasks, workers in CHUNK_CASES:
        try:
            got.append(func(ov, seconds, tasks, workers))
        except Exception as exc:
            return feedback(False, "", f"best_chunksize raised {type(exc).__name__}: {exc}")
        pool = _predicted(ov, seconds, tasks, workers)
        right.append(_best(pool))
        ties.append(_best(pool, largest=True))
        executor.append(_best(_predicted(ov, seconds, tasks, workers, "executor")))
    if any(isinstance(g, bool) or not isinstance(g, int) for g in got):
        return feedback(False, "", f"best_chunksize returned {got}: return one of the "
                        "candidate ints.")
    if got == right:
        return feedback(True, f"on all {len(CHUNK_CASES)} machines, ties included, you pick "
                        "the chunksize the cost model predicts fastest.", "")
    if got == ties:
        return feedback(False, "", "where several chunksizes tie you chose the largest; keep "
                        "the smallest (compare with <, not <=, or let min() keep the first).")
    if got == executor:
        return feedback(False, "", "your answers are the executor's best chunksizes; the "
                        'exercise asks for Pool.map: pass "pool" as the strategy.')
    i = next(i for i, (g, r) in enumerate(zip(got, right, strict=True)) if g != r)
    _, seconds, tasks, workers = CHUNK_CASES[i]
    return feedback(False, "", f"for {tasks} tasks of {seconds * 1e3:g} ms on {workers} "
                    f"worker(s) you chose {got[i]!r}; the model prefers {right[i]}. Call "
                    "costmodel.predict_time for each candidate and keep the fastest.")


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


def check_sizing(module: str = "my_sizing", func=None) -> bool:
    """``usable(cpu_count, affinity, quota)`` returns ``expected_usable``, an int, each time."""
    func = func or get_function(module, "usable")
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
        if isinstance(got, bool) or not isinstance(got, int):
            return feedback(False, "", f"usable{args} returned {got!r}, a "
                            f"{type(got).__name__}: Pool({got!r}) raises TypeError. Return an "
                            "int (math.ceil gives one; int() turns 2.0 into 2).")
    return feedback(True, f"all {len(SIZING_CASES)} machines sized right.", "")


_BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_seen(init, start_method: str) -> list[int]:
    """BLAS threads reported by the workers of a pool started with ``init``.

    The parent loads NumPy with two BLAS threads first, as a notebook does: a
    fork worker inherits that loaded library, a spawn worker loads its own and
    reads the variables (set to 2 here) when it does. An initializer that
    works must bring both down to 1.
    """
    import numpy  # noqa: F401  (loads BLAS in the parent, as in a lesson)
    from threadpoolctl import threadpool_limits

    saved = {k: os.environ.get(k) for k in _BLAS_VARIABLES}
    os.environ.update(dict.fromkeys(_BLAS_VARIABLES, "2"))
    try:
        with threadpool_limits(limits=2), warnings.catch_warnings():
            # Python 3.12+ warns that fork in a process with threads may deadlock;
            # this pool runs one tiny function and is closed at once.
            warnings.filterwarnings("ignore", message=".*fork.*", category=DeprecationWarning)
            with mp.get_context(start_method).Pool(2, initializer=init) as pool:
                found = pool.map_async(blas_threads, range(4), 1).get(timeout=20)
                pool.close()
                pool.join()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return sorted(set(found))


def check_blas(module: str = "my_blas", func=None) -> bool:
    """A pool started with ``initializer=one_thread`` reports one BLAS thread per worker.

    Runs under fork (where the platform has it), with NumPy already loaded in
    the parent, and under spawn: an initializer that only sets an environment
    variable passes under spawn and fails under fork.
    """
    init = func or get_function(module, "one_thread")
    if init is None:
        return False
    methods = [m for m in ("fork", "spawn") if m in mp.get_all_start_methods()]
    for method in methods:
        try:
            found = _threads_seen(init, method)
        except Exception as exc:
            return feedback(False, "", f"the {method} pool failed: {type(exc).__name__}: "
                            f"{exc}. Does one_thread take no arguments and import what it "
                            "needs?")
        if found != [1]:
            why = ("(Environment variables cannot do it there: a fork worker inherits "
                   "the parent's BLAS, already loaded, and they are read only when BLAS "
                   "loads.) " if method == "fork" else "")
            return feedback(False, "", f"under {method} the workers reported {found} BLAS "
                            f"threads. {why}Call threadpoolctl.threadpool_limits(limits=1) "
                            "in one_thread, after importing numpy.")
    return feedback(True, f"each worker runs BLAS on one thread, under {' and '.join(methods)}.",
                    "")
