"""Checks for the exercises of lesson 02 (Pool)."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from types import ModuleType

from helpers.bench import pool_chunksize
from helpers.checks import feedback, load_fresh

#: (tasks, workers) pairs on which a chunksize formula is checked.
CHUNK_CASES = [(0, 2), (1, 2), (7, 2), (8, 2), (9, 2), (10, 2), (100, 4), (1000, 3),
               (20_000, 2), (99_999, 16)]

#: The example prefix of exercise 2 ...
PREFIX = "item-"
#: ... and the ones the check uses, so that a hard-coded answer cannot pass.
CHECK_PREFIXES = ("check-", "again-")

_setup_calls = 0  # per worker process: how often the learner's setup ran there


def check_chunksize(func: Callable[[int, int], int]) -> bool:
    """Exercise 1: ``func(tasks, workers)`` must give the chunksize ``Pool.map`` picks."""
    for tasks, workers in CHUNK_CASES:
        expected = pool_chunksize(tasks, workers)
        try:
            got = func(tasks, workers)
        except Exception as exc:  # a learner's bug is a hint, not a crash
            return feedback(False, "", f"for {tasks} tasks on {workers} workers your function "
                            f"raised {type(exc).__name__}: {exc}.")
        if got != expected or isinstance(got, bool) or not isinstance(got, int):
            hint = ("divide by 4 chunks per worker, and add 1 when the division leaves a "
                    "remainder (divmod gives both)")
            return feedback(False, "", f"for {tasks} tasks on {workers} workers you gave "
                            f"{got!r}; Pool.map picks {expected}. Hint: {hint}.")
    return feedback(True, f"your formula matches Pool.map on all {len(CHUNK_CASES)} cases "
                    f"(e.g. 20,000 tasks on 2 workers -> chunksize "
                    f"{pool_chunksize(20_000, 2)}).", "")


def counted_setup(setup: Callable, prefix: str) -> None:
    """The pool's initializer: call the learner's ``setup(prefix)`` and count the call.

    Runs in a worker process, once, when it starts.
    """
    global _setup_calls
    setup(prefix)
    _setup_calls += 1


def tag_here(tag: Callable, x: int) -> tuple[object, int, int]:
    """``(tag(x), this worker's pid, how often setup ran in it)``. Runs in a worker process."""
    return tag(x), os.getpid(), _setup_calls


def _run_tagging(setup: Callable, tag: Callable, prefix: str, timeout: float) -> list:
    """``tag_here(tag, x)`` for x in 0..5 on a spawn Pool(2) whose initializer calls setup.

    Bounded: ``starmap_async(...).get(timeout)``, then the pool is terminated.
    """
    ctx = mp.get_context("spawn")  # the strictest method: what works here works everywhere
    pool = ctx.Pool(2, initializer=counted_setup, initargs=(setup, prefix))
    try:
        return pool.starmap_async(tag_here, [(tag, i) for i in range(6)],
                                  chunksize=1).get(timeout=timeout)
    finally:
        pool.terminate()
        pool.join()


def check_initializer(module: str | ModuleType = "my_setup", timeout: float = 10.0) -> bool:
    """Exercise 2: ``setup(prefix)`` as a Pool initializer and ``tag(x)`` using it.

    Runs a spawn Pool of 2 whose initializer calls ``setup``, twice, with two
    prefixes that are not the example's, so that a hard-coded ``"item-"`` (or
    any one constant) cannot pass. Each result comes back with its worker's
    pid and how often setup ran there.
    """
    loaded = module if isinstance(module, ModuleType) else load_fresh(module)
    if loaded is None:
        return False
    name = loaded.__name__
    setup, tag = getattr(loaded, "setup", None), getattr(loaded, "tag", None)
    for what, func in (("setup", setup), ("tag", tag)):
        if not callable(func):
            return feedback(False, "", f"{name} has no function called {what!r}.")
    for prefix in CHECK_PREFIXES:
        expected = [f"{prefix}{i}" for i in range(6)]
        try:
            got = _run_tagging(setup, tag, prefix, timeout)
        except mp.TimeoutError:
            return feedback(False, "", f"no result within {timeout:g} s: does setup() "
                            f"finish, and can {name} be imported on its own?")
        except Exception as exc:
            return feedback(False, "", f"tag raised {type(exc).__name__}: {exc}. Did setup() "
                            "store the prefix in a module-level variable (with `global`)?")
        values = [value for value, _, _ in got]
        if values != expected:
            return feedback(False, "", f"with setup({prefix!r}) as the initializer, "
                            f"pool.map(tag, range(6)) gave {values!r}, expected "
                            f"{expected!r}. setup must store the prefix it is given in a "
                            "global; tag must return that prefix + str(x).")
        if any(pid == os.getpid() or calls != 1 for _, pid, calls in got):
            return feedback(False, "", "tag did not run in a worker where setup had run "
                            "once: let the Pool call setup, as its initializer.")
    return feedback(True, "setup ran once in each worker, as the Pool's initializer, and tag "
                    f"used the prefix it stored: with {CHECK_PREFIXES[-1]!r}, {values}.", "")
