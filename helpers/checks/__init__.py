"""Feedback for the exercises: a check says whether an answer is right, with a hint.

This package holds the shared machinery; each lesson's checks live in a module
of their own (``helpers.checks.lesson01`` ...).

Every check prints one line that starts with a mark a learner spots at once
and returns ``True`` or ``False``, so tests can call it on a right and on a
wrong answer. A check never raises on a wrong answer: an exception is for a
broken course, not for a learner who is not there yet.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import pickle
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import ModuleType

PASS = "✅ Correct:"
FAIL = "❌ Not yet:"


def feedback(ok: bool, success: str, hint: str) -> bool:
    """Print the verdict line and return ``ok``."""
    print(f"{PASS} {success}" if ok else f"{FAIL} {hint}")
    return ok


def load_fresh(module_name: str) -> ModuleType | None:
    """Import a learner's module again, so edits written with ``%%writefile`` are seen.

    Returns None (after printing a hint) when the module cannot be imported.
    """
    importlib.invalidate_caches()
    sys.modules.pop(module_name, None)
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # any error in the learner's file is a hint, not a crash
        feedback(False, "", f"`import {module_name}` failed with {type(exc).__name__}: {exc}. "
                 f"Run the %%writefile cell that creates {module_name}.py first.")
        return None


def get_function(module_name: str, name: str) -> Callable | None:
    """The function ``name`` from the learner's module, or None after a hint."""
    module = load_fresh(module_name)
    if module is None:
        return None
    func = getattr(module, name, None)
    if not callable(func):
        feedback(False, "", f"{module_name}.py has no function called {name!r}.")
        return None
    return func


def check_equal(answer: object, expected: object, what: str, hint: str) -> bool:
    """Compare an answer with the expected value; say what was expected when they differ."""
    return feedback(answer == expected, f"{what} is {expected!r}.",
                    f"got {answer!r}, expected {expected!r}. {hint}")


class ChildFailed(Exception):
    """The learner's function could not be run in a worker process; the message is the hint."""


def run_in_child(func: Callable, *args, timeout: float = 10.0, start_method: str = "spawn"):
    """Call ``func(*args)`` in a fresh worker process and return its result.

    Uses spawn by default, the strictest start method: a function that works
    here works on every platform. Raises ``ChildFailed`` with a hint when the
    function cannot be sent, the worker dies, or it takes longer than
    ``timeout`` seconds; an exception raised by ``func`` itself propagates.
    """
    name = getattr(func, "__qualname__", repr(func))
    try:
        pickle.dumps((func, args))
    except Exception as exc:
        raise ChildFailed(f"{name!r} cannot be sent to a worker process ({exc}). Define it "
                          "at the top level of your module, not inside another function "
                          "and not as a lambda.") from None
    if getattr(func, "__module__", None) == "__main__" and start_method != "fork":
        raise ChildFailed(f"{name!r} is defined in the notebook; a {start_method} worker "
                          "cannot import it. Write it into your module with %%writefile.")
    ctx = mp.get_context(start_method)
    ex = ProcessPoolExecutor(1, mp_context=ctx)
    try:
        future = ex.submit(func, *args)
        return future.result(timeout=timeout)
    except BrokenProcessPool:
        raise ChildFailed(
            f"the worker process could not run {getattr(func, '__qualname__', func)!r}. "
            "Is it defined in your module (with %%writefile) rather than in a notebook cell?"
        ) from None
    except FutureTimeout:
        raise ChildFailed(f"it did not finish within {timeout:g} s.") from None
    finally:
        # Never wait on a stuck worker and never use cancel_futures=True here:
        # after a pickling error that combination can deadlock (CPython gh-116685).
        for proc in list(getattr(ex, "_processes", {}).values()):
            proc.terminate()
        ex.shutdown(wait=True)
