import pickle

import pytest

from helpers import workloads as w


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1234])
def test_cpu_task_matches_closed_form(n):
    assert w.cpu_task(n) == sum(i * i for i in range(n)) == w.cpu_task_expected(n)


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2.5, TypeError), ("10", TypeError),
                                        (True, TypeError)])
def test_cpu_task_rejects_bad_sizes(bad, error):
    with pytest.raises(error, match="n must be"):
        w.cpu_task(bad)


def test_square_and_its_errors():
    assert w.square(7) == 49
    assert w.square(-1.5) == 2.25
    with pytest.raises(TypeError, match="square needs a number"):
        w.square("3")


def test_sleepy_returns_its_argument_and_checks_it():
    assert w.sleepy(0) == 0
    with pytest.raises(ValueError, match="at least 0"):
        w.sleepy(-0.1)
    with pytest.raises(TypeError):
        w.sleepy(None)


def test_fail_if_raises_only_for_the_bad_input():
    assert w.fail_if(2) == 4
    with pytest.raises(ValueError, match="task 3 failed on purpose"):
        w.fail_if(3)


def test_run_slice_puts_indexed_results():
    class ListQueue(list):
        put = list.append

    q = ListQueue()
    w.run_slice(w.square, [1, 2, 3], 5, q)
    assert q == [(5, [1, 4, 9])]


@pytest.mark.parametrize("func", [w.cpu_task, w.square, w.sleepy, w.add, w.fail_if, w.whoami,
                                  w.cpu_task_with_pid, w.run_slice])
def test_workers_pickle_by_reference(func):
    # Pickle sends module and name, so a spawned child can import the same function.
    assert pickle.loads(pickle.dumps(func)) is func
    assert func.__module__ == "helpers.workloads"
