"""Checks for the exercises of lesson 01 (Run work in other processes)."""

from __future__ import annotations

from helpers.checks import ChildFailed, check_equal, feedback, get_function, run_in_child
from helpers.sandbox import run_snippet
from helpers.workloads import cpu_task_expected

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


def measured_exitcode_of_raising_target() -> int:
    """Run a Process whose target raises, in a separate script, and return its exit code."""
    outcome = run_snippet(RAISING_CHILD, timeout=30)
    return int(outcome.stdout.strip().splitlines()[-1])


def check_exitcode(answer: object) -> bool:
    """Exercise 1: the exit code of a process whose target raised an exception."""
    if not isinstance(answer, int) or isinstance(answer, bool):
        return feedback(False, "", f"answer with a whole number, not {answer!r}.")
    return check_equal(answer, measured_exitcode_of_raising_target(),
                       "the exit code of a process whose target raised",
                       "An uncaught exception ends the child the way `sys.exit(1)` does.")


def _reference_count(text: str) -> int:
    return sum(ch in "aeiouAEIOU" for ch in text)


def check_count_vowels(module: str = "my_vowels") -> bool:
    """Exercise 2: ``count_vowels`` from the learner's module, run in a spawned process."""
    func = get_function(module, "count_vowels")
    if func is None:
        return False
    for text in SAMPLES:
        try:
            got = run_in_child(func, text)
        except ChildFailed as exc:
            return feedback(False, "", str(exc))
        except Exception as exc:  # the learner's own bug, raised in the child
            return feedback(False, "", f"count_vowels({text!r}) raised "
                            f"{type(exc).__name__}: {exc}")
        if got != _reference_count(text):
            return feedback(False, "", f"count_vowels({text!r}) returned {got!r}, expected "
                            f"{_reference_count(text)}. Count a, e, i, o, u in both cases.")
    return feedback(True, "count_vowels works in a spawned process, so on every platform.",
                    "")


def check_results(results: object, sizes: list[int]) -> bool:
    """Exercise 3: one result per size, in the order of ``sizes``."""
    expected = [cpu_task_expected(n) for n in sizes]
    if not isinstance(results, list):
        return feedback(False, "", f"results should be a list, got {type(results).__name__}.")
    if sorted(results) == sorted(expected) and results != expected:
        return feedback(False, "", "right numbers, wrong order: results arrive in the order "
                        "processes finish. Sort them by the index each worker sent.")
    return check_equal(results, expected, "the list of results",
                       "Start one Process per size with run_slice, read one item per "
                       "process from the queue, then join.")
