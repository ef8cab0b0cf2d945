"""Checks for the exercises of lesson 02 (Pool)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable

from helpers.bench import pool_chunksize
from helpers.checks import feedback, load_fresh

#: (tasks, workers) pairs on which a chunksize formula is checked.
CHUNK_CASES = [(0, 2), (1, 2), (7, 2), (8, 2), (9, 2), (10, 2), (100, 4), (1000, 3),
               (20_000, 2), (99_999, 16)]

PREFIX = "item-"


def check_chunksize(func: Callable[[int, int], int]) -> bool:
    """Exercise 1: ``func(tasks, workers)`` must give the chunksize ``Pool.map`` picks."""
    for tasks, workers in CHUNK_CASES:
        expected = pool_chunksize(tasks, workers)
        try:
            got = func(tasks, workers)
        except Exception as exc:  # a learner's bug is a hint, not a crash
            return feedback(False, "", f"for {tasks} tasks on {workers} workers your function "
                            f"raised {type(exc).__name__}: {exc}.")
        if got != expected:
            hint = ("divide by 4 chunks per worker, and add 1 when the division leaves a "
                    "remainder (divmod gives both)")
            return feedback(False, "", f"for {tasks} tasks on {workers} workers you gave "
                            f"{got!r}; Pool.map picks {expected}. Hint: {hint}.")
    return feedback(True, f"your formula matches Pool.map on all {len(CHUNK_CASES)} cases "
                    f"(e.g. 20,000 tasks on 2 workers -> chunksize "
                    f"{pool_chunksize(20_000, 2)}).", "")


def check_initializer(module: str = "my_setup", timeout: float = 10.0) -> bool:
    """Exercise 2: ``setup(prefix)`` as a Pool initializer and ``tag(x)`` using it.

    Runs a spawn Pool of 2 with ``initializer=setup, initargs=(PREFIX,)`` and
    maps ``tag`` over ``range(6)``. Bounded: ``map_async(...).get(timeout)``,
    then the pool is terminated, so a broken module cannot hang the check.
    """
    loaded = load_fresh(module)  # once: both functions must come from the same import
    if loaded is None:
        return False
    setup, tag = getattr(loaded, "setup", None), getattr(loaded, "tag", None)
    for name, func in (("setup", setup), ("tag", tag)):
        if not callable(func):
            return feedback(False, "", f"{module}.py has no function called {name!r}.")
    expected = [f"{PREFIX}{i}" for i in range(6)]
    ctx = mp.get_context("spawn")  # the strictest method: what works here works everywhere
    pool = ctx.Pool(2, initializer=setup, initargs=(PREFIX,))
    try:
        got = pool.map_async(tag, range(6), chunksize=1).get(timeout=timeout)
    except mp.TimeoutError:
        return feedback(False, "", f"no result within {timeout:g} s: does setup() finish, "
                        f"and can {module}.py be imported on its own?")
    except Exception as exc:
        return feedback(False, "", f"tag raised {type(exc).__name__}: {exc}. Did setup() "
                        "store the prefix in a module-level variable (with `global`)?")
    finally:
        pool.terminate()
        pool.join()
    return feedback(got == expected,
                    f"every worker ran setup({PREFIX!r}) once, and tag used it: {got}.",
                    f"pool.map(tag, range(6)) gave {got!r}, expected {expected!r}. setup must "
                    "store the prefix in a global; tag must return prefix + str(x).")
