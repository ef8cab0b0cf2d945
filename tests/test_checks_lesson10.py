"""The lesson 10 checks accept the reference answers and reject typical wrong ones."""

from __future__ import annotations

import logging

import pytest

from helpers.checks import lesson10

VECTOR_RIGHT = """
import numpy as np
from helpers.alternatives import MAX_EXACT_N

def sum_of_squares(n):
    if n > MAX_EXACT_N:
        raise ValueError("too big for int64")
    values = np.arange(n, dtype=np.int64)
    return int(np.dot(values, values))
"""
VECTOR_PYTHON_INT = """
def sum_of_squares(n):
    return (n - 1) * n * (2 * n - 1) // 6
"""
VECTOR_FLOAT = """
import numpy as np

def sum_of_squares(n):
    values = np.arange(n, dtype=np.float64)
    return (values * values).sum()
"""
VECTOR_WRAPS = """
import numpy as np

def sum_of_squares(n):
    values = np.arange(n, dtype=np.int64)
    return int(np.dot(values, values))
"""
VECTOR_UINT64 = """
import numpy as np

def sum_of_squares(n):
    values = np.arange(n, dtype=np.uint64)
    return int(np.dot(values, values))
"""
VECTOR_SUM = """
import numpy as np
from helpers.alternatives import MAX_EXACT_N

def sum_of_squares(n):
    if n > MAX_EXACT_N:
        raise ValueError(f"n must be at most {MAX_EXACT_N}")
    values = np.arange(n, dtype=np.int64)
    return int((values * values).sum())
"""
# Exact for every n, but a Python loop: not what the exercise asks.
VECTOR_LOOP = """
def sum_of_squares(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
"""
VECTOR_GENERATOR = """
def sum_of_squares(n):
    return sum(i * i for i in range(n))
"""
VECTOR_OFF_BY_ONE = """
import numpy as np

def sum_of_squares(n):
    values = np.arange(n + 1, dtype=np.int64)
    return int(np.dot(values, values))
"""
DASK_RIGHT = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return client.map(cpu_task, sizes, pure=False)
"""
DASK_PURE = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return client.map(cpu_task, sizes)
"""
DASK_SUBMIT = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return [client.submit(cpu_task, n, pure=False) for n in sizes]
"""
# The right sums as futures, but computed here and scattered: no task ran on the cluster.
DASK_SCATTER = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return client.scatter([cpu_task(n) for n in sizes], hash=False)
"""
DASK_OTHER_FUNCTION = """
from helpers.workloads import square

def submit_all(client, sizes):
    return client.map(square, sizes, pure=False)
"""
DASK_RESULTS = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return client.gather(client.map(cpu_task, sizes, pure=False))
"""


@pytest.mark.parametrize("source", [VECTOR_RIGHT, VECTOR_SUM, VECTOR_PYTHON_INT])
def test_sum_of_squares_right(learner, capsys, source):
    learner("my_vector", source)
    assert lesson10.check_sum_of_squares() is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("source, hint", [
    (VECTOR_FLOAT, "float"), (VECTOR_WRAPS, "wrapped around"), (VECTOR_OFF_BY_ONE, "expected"),
    (VECTOR_UINT64, "4,000,000"),
    (VECTOR_LOOP, "Python loop"), (VECTOR_GENERATOR, "Python loop"),
])
def test_sum_of_squares_wrong(learner, capsys, source, hint):
    learner("my_vector", source)
    assert lesson10.check_sum_of_squares() is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_sum_of_squares_missing_module(capsys):
    assert lesson10.check_sum_of_squares(module="my_vector_that_does_not_exist") is False
    assert "❌" in capsys.readouterr().out


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,  # in-process: no sockets
                      dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as lc:
        with Client(lc) as c:
            yield c


@pytest.mark.parametrize("source", [DASK_RIGHT, DASK_SUBMIT])
def test_submit_all_right(learner, client, capsys, source):
    learner("my_dask", source)
    assert lesson10.check_submit_all(client) is True
    assert "5 calls, 5 tasks" in capsys.readouterr().out


@pytest.mark.parametrize("source, hint", [(DASK_PURE, "pure=False"),
                                          (DASK_SCATTER, "not cpu_task tasks"),
                                          (DASK_OTHER_FUNCTION, "not cpu_task tasks"),
                                          (DASK_RESULTS, "one Dask future per size")])
def test_submit_all_wrong(learner, client, capsys, source, hint):
    learner("my_dask", source)
    assert lesson10.check_submit_all(client) is False
    assert hint in capsys.readouterr().out


def test_choices():
    assert lesson10.check_choices(dict(lesson10.SITUATIONS)) is True
    assert lesson10.check_choices({s: t.title() for s, t in
                                   reversed(lesson10.SITUATIONS.items())}) is True
    all_pool = dict.fromkeys(lesson10.SITUATIONS, "pool")
    assert lesson10.check_choices(all_pool) is False
    assert lesson10.check_choices({**lesson10.SITUATIONS, "fetch 500 web pages": "ray"}) is False
    assert lesson10.check_choices({"something else": "pool"}) is False


def test_solutions_pass(client, capsys):
    from helpers.solutions import lesson10 as solution

    assert lesson10.check_sum_of_squares("helpers.solutions.lesson10") is True
    assert lesson10.check_submit_all(client, "helpers.solutions.lesson10") is True
    assert lesson10.check_choices(solution.CHOICES) is True
