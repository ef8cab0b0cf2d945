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
DASK_RESULTS = """
from helpers.workloads import cpu_task

def submit_all(client, sizes):
    return client.gather(client.map(cpu_task, sizes, pure=False))
"""


@pytest.mark.parametrize("source", [VECTOR_RIGHT, VECTOR_PYTHON_INT])
def test_sum_of_squares_right(learner, capsys, source):
    learner("my_vector", source)
    assert lesson10.check_sum_of_squares() is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("source, hint", [
    (VECTOR_FLOAT, "float"), (VECTOR_WRAPS, "wrapped around"), (VECTOR_OFF_BY_ONE, "expected"),
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


def test_submit_all_right(learner, client, capsys):
    learner("my_dask", DASK_RIGHT)
    assert lesson10.check_submit_all(client) is True
    assert "5 calls, 5 tasks" in capsys.readouterr().out


@pytest.mark.parametrize("source, hint", [(DASK_PURE, "pure=False"),
                                          (DASK_RESULTS, "one Dask future per size")])
def test_submit_all_wrong(learner, client, capsys, source, hint):
    learner("my_dask", source)
    assert lesson10.check_submit_all(client) is False
    assert hint in capsys.readouterr().out


def test_choices():
    assert lesson10.check_choices(dict(lesson10.SITUATIONS)) is True
    all_pool = dict.fromkeys(lesson10.SITUATIONS, "pool")
    assert lesson10.check_choices(all_pool) is False
    assert lesson10.check_choices({**lesson10.SITUATIONS, "fetch 500 web pages": "ray"}) is False
    assert lesson10.check_choices({"something else": "pool"}) is False
