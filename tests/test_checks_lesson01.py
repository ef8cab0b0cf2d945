"""Lesson 01's checks: a right answer, a different right one, a wrong value, a wrong way."""

import multiprocessing as mp
import sys

import numpy as np
import pytest

from helpers.checks import lesson01
from helpers.solutions import lesson01 as solution
from helpers.workloads import run_slice


@pytest.fixture
def my_vowels(learner):
    return lambda body: learner("my_vowels", f"def count_vowels(text):\n    {body}\n")


# --- exercise 1: predict an exit code ------------------------------------------------

def test_exitcode_right_answers_pass(capsys):
    assert lesson01.measured_exitcode_of_raising_target() == 1
    assert lesson01.check_exitcode(solution.EXITCODE) is True
    assert lesson01.check_exitcode(np.int64(1)) is True  # a different whole number type
    assert capsys.readouterr().out.count("✅ Correct:") == 2


def test_exitcode_wrong_value_and_wrong_kind_fail(capsys):
    assert lesson01.check_exitcode(0) is False
    assert lesson01.check_exitcode(-15) is False
    assert "expected 1" in capsys.readouterr().out
    for not_a_number in (None, True, "1", 1.0):  # True == 1, but it is not an exit code
        assert lesson01.check_exitcode(not_a_number) is False
        assert "whole number" in capsys.readouterr().out


# --- exercise 2: a worker that works everywhere ----------------------------------------

def test_count_vowels_solution_and_another_right_answer_pass(my_vowels, capsys):
    assert lesson01.check_count_vowels(solution.count_vowels) is True
    my_vowels('return len([c for c in text.lower() if c in "aeiou"])')
    assert lesson01.check_count_vowels() is True
    assert capsys.readouterr().out.count("✅ Correct:") == 2


@pytest.mark.parametrize("wrong", [
    "return 0",                                   # the starter
    'return sum(ch in "aeiou" for ch in text)',   # forgets capitals
    "return len(text)",
])
def test_count_vowels_wrong_values_fail(my_vowels, wrong, capsys):
    my_vowels(wrong)
    assert lesson01.check_count_vowels() is False
    assert "Not yet" in capsys.readouterr().out


def test_count_vowels_that_needs_the_parents_state_fails(learner, capsys):
    # Right in this process, where the global was filled in; a spawned child imports the
    # module afresh and finds None: the value comes only from inherited state.
    name = learner("my_vowels_state", """
        VOWELS = None

        def count_vowels(text):
            return sum(ch in VOWELS for ch in text)
    """)
    module = __import__(name)
    module.VOWELS = "aeiouAEIOU"
    assert module.count_vowels("Multiprocessing") == 5
    assert lesson01.check_count_vowels(module) is False
    assert "in a spawned process" in capsys.readouterr().out


def test_count_vowels_lambda_and_missing_module_fail(capsys):
    assert lesson01.check_count_vowels(lambda text: sum(c in "aeiouAEIOU" for c in text)) \
        is False
    assert "cannot be sent" in capsys.readouterr().out
    sys.modules.pop("my_vowels_absent", None)
    assert lesson01.check_count_vowels("my_vowels_absent") is False


# --- exercise 3: results in order, from other processes ---------------------------------

def in_order_sorted_by_index(func, items):
    """A different right answer: a list of (index, results), sorted, and a SimpleQueue."""
    q = mp.SimpleQueue()
    procs = [mp.Process(target=run_slice, args=(func, [x], i, q)) for i, x in enumerate(items)]
    for p in procs:
        p.start()
    received = sorted(q.get() for _ in procs)
    for p in procs:
        p.join()
    return [results[0] for _, results in received]


def in_order_unsorted(func, items):
    """Forgets to sort: results in the order the processes finished."""
    q = mp.Queue()
    procs = [mp.Process(target=run_slice, args=(func, [x], i, q)) for i, x in enumerate(items)]
    for p in procs:
        p.start()
    received = [q.get(timeout=30) for _ in procs]
    for p in procs:
        p.join()
    return [results[0] for _, results in received]


def in_order_one_after_another(func, items):
    """Starts and joins each process in turn: processes, but never two at once."""
    q = mp.Queue()
    out = []
    for i, x in enumerate(items):
        p = mp.Process(target=run_slice, args=(func, [x], i, q))
        p.start()
        out.append(q.get(timeout=30)[1][0])
        p.join()
    return out


def in_order_one_process(func, items):
    """All items in one Process: the right order, but not one process per item."""
    q = mp.Queue()
    p = mp.Process(target=run_slice, args=(func, list(items), 0, q))
    p.start()
    _, results = q.get(timeout=30)
    p.join()
    return results


def test_in_order_right_answers_pass(capsys):
    assert lesson01.check_in_order(solution.in_order) is True
    assert lesson01.check_in_order(in_order_sorted_by_index) is True
    assert capsys.readouterr().out.count("✅ Correct:") == 2


def test_in_order_wrong_value_fails(capsys):
    assert lesson01.check_in_order(lambda func, items: []) is False
    assert "one result per item" in capsys.readouterr().out
    assert lesson01.check_in_order(lambda func, items: [(1, 2, True)] * len(items)) is False


def test_in_order_serial_comprehension_fails(capsys):
    # Right values in the right order, computed here: the pids give it away.
    assert lesson01.check_in_order(lambda func, items: [func(x) for x in items]) is False
    assert "computed in this process" in capsys.readouterr().out


def test_in_order_forgetting_to_sort_always_fails(capsys):
    for _ in range(3):  # the tasks finish last-first on every run, not by chance
        assert lesson01.check_in_order(in_order_unsorted) is False
        assert "wrong order" in capsys.readouterr().out


def test_in_order_other_wrong_ways_fail(capsys):
    assert lesson01.check_in_order(in_order_one_process) is False
    assert "start one Process per item" in capsys.readouterr().out
    assert lesson01.check_in_order(in_order_one_after_another) is False
    assert "did not run at the same time" in capsys.readouterr().out


def test_in_order_that_hangs_is_stopped(capsys):
    def never_returns(func, items):
        mp.Queue().get(timeout=5)  # nothing comes: longer than the check waits

    assert lesson01.check_in_order(never_returns, timeout=1) is False
    assert "did not return within 1 s" in capsys.readouterr().out
