"""Checks for the exercises of lesson 01 (Run work in other processes)."""

from __future__ import annotations

import multiprocessing as mp
import numbers
import os
import threading
from collections.abc import Callable
from types import ModuleType

from helpers.checks import ChildFailed, check_equal, feedback, get_function, run_in_child
from helpers.sandbox import run_snippet

RAISING_CHILD = """
import multiprocessing as mp
from helpers.workloads import fail_if

if __name__ == "__main__":
    p = mp.get_context("spawn").Process(target=fail_if, args=(3,))
    p.start()
    p.join()
    print(p.exitcode)
"""

SAMPLES = ["Multiprocessing", "AEIOU aeiou", "rhythm", ""]

#: Exercise 3: the values the check sends; task i waits until task i + 1 has finished.
ORDER_VALUES = (30, 10, 20)
#: Seconds a task waits for the next one before it gives up (they did not run together).
ORDER_WAIT = 5.0
#: Seconds after the next task finished, so that its result reaches the queue first.
ORDER_LAG = 0.2


def measured_exitcode_of_raising_target() -> int:
    """Run a Process whose target raises, in a separate script, and return its exit code."""
    outcome = run_snippet(RAISING_CHILD, timeout=30)
    return int(outcome.stdout.strip().splitlines()[-1])


def check_exitcode(answer: object) -> bool:
    """Exercise 1: the exit code of a process whose target raised an exception."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return feedback(False, "", f"answer with a whole number, not {answer!r}.")
    return check_equal(int(answer), measured_exitcode_of_raising_target(),
                       "the exit code of a process whose target raised",
                       "An uncaught exception ends the child the way `sys.exit(1)` does.")


def _reference_count(text: str) -> int:
    return sum(ch in "aeiouAEIOU" for ch in text)


def _function(given: str | ModuleType | Callable, name: str) -> Callable | None:
    """The function to check: given directly, or ``name`` from a module (or its name)."""
    if callable(given) and not isinstance(given, ModuleType):
        return given
    if isinstance(given, ModuleType):
        func = getattr(given, name, None)
        if not callable(func):
            feedback(False, "", f"{given.__name__} has no function called {name!r}.")
            return None
        return func
    return get_function(given, name)


def check_count_vowels(module: str | ModuleType | Callable = "my_vowels") -> bool:
    """Exercise 2: ``count_vowels`` (from the learner's module), run in a spawned process."""
    func = _function(module, "count_vowels")
    if func is None:
        return False
    for text in SAMPLES:
        try:
            got = run_in_child(func, text)
        except ChildFailed as exc:
            return feedback(False, "", str(exc))
        except Exception as exc:  # the learner's own bug, raised in the child
            return feedback(False, "", f"in a spawned process, count_vowels({text!r}) raised "
                            f"{type(exc).__name__}: {exc}. Does it rely on something the "
                            "notebook set up? A spawned process starts from the module alone.")
        if got != _reference_count(text):
            return feedback(False, "", f"count_vowels({text!r}) returned {got!r}, expected "
                            f"{_reference_count(text)}. Count a, e, i, o, u in both cases.")
    return feedback(True, "count_vowels works in a spawned process, so on every platform.",
                    "")


def finish_in_reverse(task: tuple) -> tuple[int, int, bool]:
    """Wait until the next task has finished, then return ``(value * 10, pid, waited)``.

    ``task`` is ``(value, parent_pid, next_done, done)``: two events, so that
    the last task finishes first and the first task last, on any machine.
    ``waited`` is False when the next task never finished (they did not run
    at the same time). In the parent itself it does not wait at all.
    Runs in a worker process.
    """
    value, parent_pid, next_done, done = task
    waited = True
    if os.getpid() != parent_pid and next_done is not None:
        waited = next_done.wait(ORDER_WAIT)
        threading.Event().wait(ORDER_LAG)
    done.set()
    return value * 10, os.getpid(), waited


def _run_bounded(func: Callable, args: tuple, timeout: float) -> tuple[bool, object]:
    """``func(*args)`` in a thread: (finished, result or exception); never waits forever."""
    box: dict = {}

    def target() -> None:
        try:
            box["result"] = func(*args)
        except BaseException as exc:  # the learner's bug comes back as a hint
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return False, None
    return True, box.get("error", box.get("result"))


def check_in_order(in_order: Callable, timeout: float = 30.0) -> bool:
    """Exercise 3: ``in_order(func, items)`` runs each item in its own Process, results in order.

    The tasks finish in reverse order for sure (each waits for the next), and
    each result carries the pid of the process that computed it.
    """
    if not callable(in_order):
        return feedback(False, "", f"pass your function itself, not {in_order!r}.")
    parent = os.getpid()
    events = [mp.Event() for _ in ORDER_VALUES]
    items = [(value, parent, events[i + 1] if i + 1 < len(events) else None, events[i])
             for i, value in enumerate(ORDER_VALUES)]
    finished, got = _run_bounded(in_order, (finish_in_reverse, items), timeout)
    if not finished:
        return feedback(False, "", f"in_order did not return within {timeout:g} s. Read "
                        "exactly one item per process from the queue (with a timeout), "
                        "then join.")
    if isinstance(got, BaseException):
        return feedback(False, "", f"in_order raised {type(got).__name__}: {got}.")
    expected = [value * 10 for value in ORDER_VALUES]
    if not isinstance(got, list) or len(got) != len(items):
        return feedback(False, "", f"in_order returned {got!r}: return a list with one "
                        f"result per item ({len(items)} here).")
    if not all(isinstance(r, tuple) and len(r) == 3 for r in got):
        return feedback(False, "", f"in_order returned {got!r}: each element should be what "
                        "func returned for that item, as run_slice sent it (index, [result]).")
    values = [r[0] for r in got]
    pids = [r[1] for r in got]
    if parent in pids:
        return feedback(False, "", "the results were computed in this process, not in "
                        "other processes: start one Process per item with run_slice as "
                        "the target.")
    if len(set(pids)) != len(items):
        return feedback(False, "", f"{len(items)} items ran in {len(set(pids))} process(es): "
                        "start one Process per item.")
    if not all(r[2] for r in got):
        return feedback(False, "", "the processes did not run at the same time: start them "
                        "all first, then read the queue, then join them all.")
    if sorted(values) == sorted(expected) and values != expected:
        return feedback(False, "", f"right results, wrong order ({values}): these tasks "
                        "finished last-first, and results arrive in the order processes "
                        "finish. Sort them by the index each worker sent.")
    return feedback(values == expected,
                    f"{len(items)} processes ran at once and finished last-first, and your "
                    f"results are in the order of the items: {values}.",
                    f"got {values}, expected {expected}: put func's result for items[i] "
                    "at position i.")
