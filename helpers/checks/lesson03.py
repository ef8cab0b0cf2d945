"""Checks for the exercises of lesson 03 (ProcessPoolExecutor)."""

from __future__ import annotations

import functools
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from helpers.checks import feedback
from helpers.workloads import fail_if, square, uneven_task, whoami

#: Task 0 is slow, the others instant: completion order differs from input order.
UNEVEN = [(0, 1.0), (1, 0.0), (2, 0.0), (3, 0.0)]
FAST_MAP_TASKS = 10_000
#: Exercise 2's rule: at least this many tasks per chunk ...
MIN_CHUNKSIZE = 100
#: ... and at least one chunk per worker; it is checked for each of these worker counts.
FAST_MAP_WORKERS = (2, 4)


def _executor(workers: int = 2) -> ProcessPoolExecutor:
    """A started spawn executor: every worker is up before the check times anything."""
    ex = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
    list(ex.map(whoami, range(workers * 2)))
    return ex


def check_collect(collect: Callable, timeout: float = 20.0) -> bool:
    """Exercise 1: ``collect(executor, func, inputs)`` -> ``{input: func(input)}``.

    Task 0 sleeps a second, the others not at all. Collected with
    ``as_completed``, the dict fills in the order the tasks finish, so task 0
    comes last; collected in input order (``map``, ``result()`` one by one),
    it comes first.
    """
    expected = {t: t[0] for t in UNEVEN}
    with _executor() as ex:
        try:
            got = collect(ex, uneven_task, list(UNEVEN))
        except Exception as exc:
            return feedback(False, "", f"collect raised {type(exc).__name__}: {exc}.")
    if not isinstance(got, dict):
        return feedback(False, "", f"collect returned a {type(got).__name__}; return a dict "
                        "{input: result}.")
    if got != expected:
        hint = ("as_completed yields futures in the order they finish, not the order of "
                "inputs: keep a dict {future: input} and look each finished future up in it.")
        return feedback(False, "", f"got {got!r}, expected {expected!r}. {hint}")
    if list(got)[-1] != UNEVEN[0]:
        return feedback(False, "", "the values are right, but they were not collected as "
                        f"they finished: the slow task {UNEVEN[0]} should be the last one "
                        "in your dict. Loop over as_completed(futures) and add each result "
                        "as it comes.")
    return feedback(True, "each input maps to its own result, collected as the futures "
                    "finished (the slow task came last).", "")


class RecordingExecutor:
    """Wraps an executor and remembers the ``chunksize`` each ``map`` call asked for."""

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self._executor = executor
        self.chunksizes: list[int] = []

    def map(self, fn, *iterables, timeout=None, chunksize=1, **kwargs):
        self.chunksizes.append(chunksize)
        return self._executor.map(fn, *iterables, timeout=timeout, chunksize=chunksize,
                                  **kwargs)

    def submit(self, fn, /, *args, **kwargs):
        return self._executor.submit(fn, *args, **kwargs)


def _chunks(tasks: int, chunksize: int) -> int:
    return -(-tasks // chunksize)


def check_fast_map(fast_map: Callable) -> bool:
    """Exercise 2: ``fast_map(executor, func, items, workers)`` with a sensible chunksize.

    Sensible: at least ``MIN_CHUNKSIZE`` tasks per chunk (few round trips), and
    at least one chunk per worker (none sits idle). Checked on
    ``FAST_MAP_TASKS`` items for each worker count in ``FAST_MAP_WORKERS``.
    """
    items = list(range(FAST_MAP_TASKS))
    sizes = []
    with _executor() as ex:
        for workers in FAST_MAP_WORKERS:
            recorder = RecordingExecutor(ex)
            try:
                got = fast_map(recorder, square, items, workers)
            except Exception as exc:
                return feedback(False, "", f"fast_map raised {type(exc).__name__}: {exc}.")
            if not isinstance(got, list):
                got = list(got)  # drain it before the executor shuts down
                return feedback(False, "", "fast_map returned an iterator; return a list "
                                "(list(executor.map(...))).")
            if got != [x * x for x in items]:
                return feedback(False, "", "the results are not the squares of the inputs, "
                                "in order.")
            if not recorder.chunksizes:
                return feedback(False, "", "fast_map never called executor.map: the work "
                                "must go to the executor's workers.")
            size = recorder.chunksizes[-1]
            if size < MIN_CHUNKSIZE:
                return feedback(False, "", f"executor.map was called with chunksize={size} "
                                f"for {FAST_MAP_TASKS:,} tasks: each chunk is one round trip "
                                f"to a worker. Put at least {MIN_CHUNKSIZE} tasks in a chunk; "
                                "Pool.map's rule gives about 4 chunks per worker.")
            if _chunks(FAST_MAP_TASKS, size) < workers:
                return feedback(False, "", f"with chunksize={size}, {FAST_MAP_TASKS:,} tasks "
                                f"make {_chunks(FAST_MAP_TASKS, size)} chunk(s) for {workers} "
                                "workers: a chunk goes to one worker, so the others sit idle. "
                                "Work the chunksize out from len(items) and workers.")
            sizes.append(f"{workers} workers -> chunksize {size}, "
                         f"{_chunks(FAST_MAP_TASKS, size)} chunks")
    return feedback(True, f"{FAST_MAP_TASKS:,} tasks: " + "; ".join(sizes) + ".", "")


def fail_if_elsewhere(x: int, parent: int) -> int:
    """``fail_if(x)``, but only in another process than ``parent``.

    In the parent itself it raises RuntimeError, so that a check sees work
    that never left the notebook. Runs in a worker process.
    """
    if os.getpid() == parent:
        raise RuntimeError("this ran in the notebook's own process, not in a worker")
    return fail_if(x)


def check_errors(results_or_errors: Callable) -> bool:
    """Exercise 3: every task's result, or ``"ExcType: message"`` for the failed ones."""
    inputs = list(range(6))
    expected = [0, 1, 4, "ValueError: task 3 failed on purpose", 16, 25]
    func = functools.partial(fail_if_elsewhere, parent=os.getpid())
    with _executor() as ex:
        try:
            got = results_or_errors(ex, func, inputs)
        except Exception as exc:
            return feedback(False, "", f"your function raised {type(exc).__name__}: {exc}. "
                            "executor.map re-raises the first failure and the other results "
                            "are lost: submit each task and catch the error of its result().")
    got = list(got)
    if any(isinstance(g, str) and g.startswith("RuntimeError") for g in got):
        return feedback(False, "", f"got {got!r}: the tasks ran in this process. Submit "
                        "each one to the executor and read its future's result().")
    return feedback(got == expected, f"{got}: the failure is reported, the others survive.",
                    f"got {got!r}, expected {expected!r}: write the error as "
                    "f\"{type(exc).__name__}: {exc}\".")
