"""Checks for the exercises of lesson 03 (ProcessPoolExecutor)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from helpers.checks import feedback
from helpers.workloads import fail_if, square, uneven_task, whoami

#: Task 0 is slow, the others instant: completion order differs from input order.
UNEVEN = [(0, 1.0), (1, 0.0), (2, 0.0), (3, 0.0)]
FAST_MAP_TASKS = 10_000
MIN_CHUNKSIZE = 100


def _executor(workers: int = 2) -> ProcessPoolExecutor:
    """A started spawn executor: every worker is up before the check times anything."""
    ex = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"))
    list(ex.map(whoami, range(workers * 2)))
    return ex


def check_collect(collect: Callable, timeout: float = 20.0) -> bool:
    """Exercise 1: ``collect(executor, func, inputs)`` -> ``{input: func(input)}``."""
    expected = {t: t[0] for t in UNEVEN}
    with _executor() as ex:
        try:
            got = collect(ex, uneven_task, list(UNEVEN))
        except Exception as exc:
            return feedback(False, "", f"collect raised {type(exc).__name__}: {exc}.")
    if not isinstance(got, dict):
        return feedback(False, "", f"collect returned a {type(got).__name__}; return a dict "
                        "{input: result}.")
    if got == expected:
        return feedback(True, "each input maps to its own result, whatever order the "
                        "futures finished in.", "")
    hint = ("as_completed yields futures in the order they finish, not the order of inputs: "
            "keep a dict {future: input} and look each finished future up in it.")
    return feedback(False, "", f"got {got!r}, expected {expected!r}. {hint}")


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


def check_fast_map(fast_map: Callable) -> bool:
    """Exercise 2: ``fast_map(executor, func, items, workers)`` with a sensible chunksize."""
    items = list(range(FAST_MAP_TASKS))
    with _executor() as ex:
        recorder = RecordingExecutor(ex)
        try:
            got = fast_map(recorder, square, items, 2)
        except Exception as exc:
            return feedback(False, "", f"fast_map raised {type(exc).__name__}: {exc}.")
        if not isinstance(got, list):
            got = list(got)  # drain it before the executor shuts down
            return feedback(False, "", "fast_map returned an iterator; return a list "
                            "(list(executor.map(...))).")
    if got != [x * x for x in items]:
        return feedback(False, "", "the results are not the squares of the inputs, in order.")
    if not recorder.chunksizes:
        return feedback(False, "", "fast_map never called executor.map.")
    size = recorder.chunksizes[-1]
    if size < MIN_CHUNKSIZE:
        return feedback(False, "", f"executor.map was called with chunksize={size} for "
                        f"{FAST_MAP_TASKS:,} tasks: each chunk is one round trip to a worker. "
                        "Aim for a few chunks per worker, as Pool.map does.")
    return feedback(True, f"chunksize={size}: {FAST_MAP_TASKS:,} tasks travel in "
                    f"{-(-FAST_MAP_TASKS // size)} chunks.", "")


def check_errors(results_or_errors: Callable) -> bool:
    """Exercise 3: every task's result, or ``"ExcType: message"`` for the failed ones."""
    inputs = list(range(6))
    expected = [0, 1, 4, "ValueError: task 3 failed on purpose", 16, 25]
    with _executor() as ex:
        try:
            got = results_or_errors(ex, fail_if, inputs)
        except Exception as exc:
            return feedback(False, "", f"your function raised {type(exc).__name__}: {exc}. "
                            "executor.map re-raises the first failure and the other results "
                            "are lost: submit each task and catch the error of its result().")
    got = list(got)
    return feedback(got == expected, f"{got}: the failure is reported, the others survive.",
                    f"got {got!r}, expected {expected!r}: write the error as "
                    "f\"{type(exc).__name__}: {exc}\".")
