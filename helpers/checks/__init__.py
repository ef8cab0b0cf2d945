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
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import ModuleType

from helpers.args import check_number, check_start_method
from helpers.plumbing import check_sendable, stop_executor

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
    check_number("timeout", timeout, positive=True, unit="seconds")
    check_start_method(start_method)
    try:
        check_sendable(func, start_method, args)
    except (TypeError, ValueError) as exc:
        raise ChildFailed(str(exc)) from None
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
        stop_executor(ex)  # never waits on a stuck worker (CPython gh-116685)
