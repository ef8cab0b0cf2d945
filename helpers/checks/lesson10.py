"""Checks for the exercises of lesson 10 (Pick the right tool beyond a process pool)."""

from __future__ import annotations

import sys

from helpers.alternatives import MAX_EXACT_N
from helpers.checks import feedback, get_function
from helpers.workloads import cpu_task_expected

EXACT_SIZES = (0, 1, 2, 10, 1_000, 1_000_000, MAX_EXACT_N)
#: Above MAX_EXACT_N an answer must refuse or be exact. A uint64 sum still fits
#: just above it and wraps at n = 4,000,000; 10**7 overflows even that twice.
BEYOND_SIZES = (MAX_EXACT_N + 1, 4_000_000, 10_000_000)
#: The size at which the check counts the Python-level steps of an answer.
LOOP_PROBE_N = 100_000


def python_steps(func, n: int) -> int:
    """How many Python lines ``func(n)`` executes (any module): a Python loop runs ~n."""
    steps = 0

    def trace(frame, event, arg):
        nonlocal steps
        if event == "line":
            steps += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        func(n)
    finally:
        sys.settrace(previous)
    return steps

#: Exercise 3: the situations and the tool the decision guide leads to.
SITUATIONS = {
    "fetch 500 web pages": "threads",
    "square and sum a million floats already in a NumPy array": "numpy",
    "a loop with an if/else per element that NumPy cannot express": "numba",
    "run 16 independent pure-Python simulations on your laptop": "pool",
    "run 10,000 one-hour simulations on the 40 machines of your lab": "dask",
}
TOOLS = ("threads", "numpy", "numba", "pool", "dask")


def check_sum_of_squares(module: str = "my_vector") -> bool:
    """Exercise 1: an exact NumPy ``sum_of_squares(n)`` that never wraps around silently."""
    func = get_function(module, "sum_of_squares")
    if func is None:
        return False
    for n in EXACT_SIZES:
        try:
            got = func(n)
        except Exception as exc:
            return feedback(False, "", f"sum_of_squares({n:,}) raised {type(exc).__name__}: "
                            f"{exc}. It must work for every n up to {MAX_EXACT_N:,}.")
        if isinstance(got, float) or getattr(getattr(got, "dtype", None), "kind", "i") == "f":
            return feedback(False, "", f"sum_of_squares({n:,}) returned a float ({got!r}). A "
                            "float64 holds integers exactly only up to 2**53: use an int64 array.")
        if got != cpu_task_expected(n):
            return feedback(False, "", f"sum_of_squares({n:,}) returned {got!r}, expected "
                            f"{cpu_task_expected(n)!r}. Sum i*i for i in range(n).")
    for too_big in BEYOND_SIZES:
        try:
            got = func(too_big)
        except ValueError:
            continue  # refusing is a right answer
        except Exception as exc:
            return feedback(False, "", f"sum_of_squares({too_big:,}) raised "
                            f"{type(exc).__name__}; raise ValueError (or return the exact "
                            "value) when int64 is too small.")
        if got != cpu_task_expected(too_big):
            return feedback(False, "", f"sum_of_squares({too_big:,}) returned {got!r}, not "
                            f"{cpu_task_expected(too_big):,}: the fixed-width integers wrapped "
                            f"around (uint64 too, a little later). Raise ValueError when "
                            f"n > {MAX_EXACT_N:,}.")
    steps = python_steps(func, LOOP_PROBE_N)
    if steps >= LOOP_PROBE_N // 2:
        return feedback(False, "", f"the sums are right, but sum_of_squares({LOOP_PROBE_N:,}) "
                        f"ran {steps:,} Python steps: that is a Python loop. Let NumPy do the "
                        "loop on an array (np.arange, then np.dot or .sum()).")
    return feedback(True, "exact up to the int64 limit, no silent wrap-around beyond it, and "
                    "no Python loop.", "")


def check_submit_all(client, module: str = "my_dask", sizes=(20_000,) * 4 + (30_000,)) -> bool:
    """Exercise 2: ``submit_all(client, sizes)`` makes one Dask task per size, repeats included."""
    func = get_function(module, "submit_all")
    if func is None:
        return False
    sizes = list(sizes)
    try:
        futures = list(func(client, sizes))
    except Exception as exc:
        return feedback(False, "", f"submit_all raised {type(exc).__name__}: {exc}")
    if len(futures) != len(sizes) or not all(hasattr(f, "key") for f in futures):
        return feedback(False, "", f"return one Dask future per size: {len(sizes)} futures, "
                        f"got {len(futures)} objects. client.map returns them.")
    from dask.utils import key_split

    keys = {f.key for f in futures}
    if any(key_split(f.key) != "cpu_task" for f in futures):
        return feedback(False, "", "these futures are not cpu_task tasks run by the cluster "
                        f"(keys such as {futures[0].key!r}): send cpu_task itself with "
                        "client.map, do not compute here and scatter the results.")
    results = client.gather(futures)
    if results != [cpu_task_expected(n) for n in sizes]:
        return feedback(False, "", "the results differ from cpu_task's: map cpu_task over sizes.")
    if len(keys) != len(sizes):
        return feedback(False, "", f"{len(sizes)} calls became {len(keys)} distinct tasks: Dask "
                        "treats calls with equal arguments as one (pure=True). Pass pure=False.")
    return feedback(True, f"{len(sizes)} calls, {len(keys)} tasks, and the right sums.", "")


def check_choices(choices: dict) -> bool:
    """Exercise 3: pick a tool for each situation."""
    if not isinstance(choices, dict) or set(choices) != set(SITUATIONS):
        return feedback(False, "", "keep the dictionary's keys as given and fill in the values.")
    choices = {s: v.strip().lower() if isinstance(v, str) else v for s, v in choices.items()}
    unknown = sorted({v for v in choices.values() if v not in TOOLS})
    if unknown:
        return feedback(False, "", f"{', '.join(map(repr, unknown))} is not one of the tools: "
                        f"choose from {', '.join(TOOLS)}.")
    wrong = [s for s, tool in SITUATIONS.items() if choices[s] != tool]
    if wrong:
        return feedback(False, "", f"{len(wrong)} of {len(SITUATIONS)} differ from the decision "
                        f"guide, for example {wrong[0]!r}.")
    return feedback(True, "each situation has the tool the decision guide leads to.", "")
