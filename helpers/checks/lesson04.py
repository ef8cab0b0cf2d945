"""Checks for lesson 04, start methods and pickling.

Exercise 1: a worker written with ``%%writefile my_worker.py`` must run in a
spawn child (the strictest start method). Exercise 2: predictions of which
objects pickle, compared with what ``pickle.dumps`` does on this Python.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from types import ModuleType

from helpers.checks import ChildFailed, feedback, get_function, run_in_child
from helpers.pickling import LockedCounter
from helpers.workloads import square

INPUTS = (0, 3, -2, 10)


def _expected(x: int) -> int:
    return x * x + 1


def check_worker(module: str | ModuleType | Callable = "my_worker",
                 name: str = "square_plus_one") -> bool:
    """Exercise 1: ``module.name(x)`` returns ``x * x + 1`` when run in a spawn child.

    ``module`` is the learner's module name, a module, or the function itself.
    """
    if isinstance(module, ModuleType):
        func = getattr(module, name, None)
        if not callable(func):
            return feedback(False, "", f"{module.__name__} has no function called {name!r}.")
    elif callable(module):
        func, name = module, getattr(module, "__name__", name)
    else:
        func = get_function(module, name)
    if func is None:
        return False
    label = f"{func.__module__}.{name}"
    try:
        got = [run_in_child(func, x, timeout=20) for x in INPUTS]
    except ChildFailed as exc:
        return feedback(False, "", str(exc))
    except Exception as exc:  # the learner's function raised: show it as a hint
        return feedback(False, "", f"{name}({INPUTS[0]}) raised {type(exc).__name__}: {exc}")
    want = [_expected(x) for x in INPUTS]
    if got != want:
        return feedback(False, "", f"for inputs {list(INPUTS)} a spawn worker returned {got}, "
                        f"expected {want} (x * x + 1).")
    return feedback(True, f"{label} ran in a spawn worker and returned {want}.", "")


def _nested() -> Callable[[int], int]:
    def inner(x: int) -> int:
        return x

    return inner


#: What exercise 2 asks about: a label, and a function that makes the object.
CASES: dict[str, Callable[[], object]] = {
    "square (from helpers)": lambda: square,
    "lambda x: x * x": lambda: (lambda x: x * x),
    "a nested function": _nested,
    "functools.partial(square)": lambda: functools.partial(square),
    "LockedCounter().add": lambda: LockedCounter().add,
    "the class LockedCounter": lambda: LockedCounter,
    "a list of 1,000 floats": lambda: [float(i) for i in range(1000)],
    "a generator": lambda: (i for i in range(3)),
}


def actual_picklability() -> dict[str, bool]:
    """For each case, whether ``pickle.dumps`` succeeds on this Python."""
    result = {}
    for label, make in CASES.items():
        try:
            pickle.dumps(make())
            result[label] = True
        except Exception:  # any failure means "does not pickle"
            result[label] = False
    return result


def check_predictions(predictions: dict) -> bool:
    """Exercise 2: ``predictions`` maps every label of ``CASES`` to True (pickles) or False."""
    if not isinstance(predictions, dict):
        return feedback(False, "", f"predictions must be a dict, got {type(predictions).__name__}.")
    missing = [k for k in CASES if not isinstance(predictions.get(k), bool)]
    if missing:
        return feedback(False, "", "answer True or False (not ... or None) for: "
                        + "; ".join(missing) + ".")
    actual = actual_picklability()
    wrong = [k for k in CASES if predictions[k] != actual[k]]
    if wrong:
        return feedback(False, "", f"{len(wrong)} of {len(CASES)} wrong: " + "; ".join(wrong)
                        + ". Try pickle.dumps(...) on them, or picklability(...).")
    return feedback(True, f"all {len(CASES)} predictions match what pickle does.", "")
