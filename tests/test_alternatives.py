"""Tests for helpers.alternatives: every version computes cpu_task's sums, exactly."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

from helpers import alternatives as alt
from helpers.bench import ResultMismatch
from helpers.workloads import cpu_task, cpu_task_expected

SIZES = [0, 1, 2, 10, 12_345]


pytestmark = pytest.mark.usefixtures("stop_loky_tracker")


def test_max_exact_n_is_the_int64_limit():
    assert cpu_task_expected(alt.MAX_EXACT_N) <= alt.INT64_MAX
    assert cpu_task_expected(alt.MAX_EXACT_N + 1) > alt.INT64_MAX


@pytest.mark.parametrize("func", [alt.cpu_task_numpy, alt.cpu_task_numba,
                                  alt.cpu_task_numba_array, alt.cpu_task_numba_parallel])
def test_versions_match_cpu_task(func):
    for n in SIZES:
        assert func(n) == cpu_task(n)
        assert type(func(n)) is int
    assert func(alt.MAX_EXACT_N) == cpu_task_expected(alt.MAX_EXACT_N)


@pytest.mark.parametrize("func", [alt.cpu_task_numpy, alt.cpu_task_numba_parallel])
def test_refuses_sizes_that_would_wrap_around(func):
    with pytest.raises(ValueError, match="fits in int64"):
        func(alt.MAX_EXACT_N + 1)
    with pytest.raises(ValueError, match="between 0"):
        func(-1)
    with pytest.raises(TypeError, match="must be an int"):
        func(10.0)
    with pytest.raises(TypeError, match="must be an int"):
        func(True)


def test_numpy_int64_really_wraps_without_the_check():
    values = np.arange(alt.MAX_EXACT_N + 1, dtype=np.int64)
    assert int(np.dot(values, values)) != cpu_task_expected(alt.MAX_EXACT_N + 1)


def test_describe_array():
    assert alt.describe_array(np.zeros(3)) == ("ndarray", True)
    readonly = np.zeros(3)
    readonly.flags.writeable = False
    assert alt.describe_array(readonly) == ("ndarray", False)


def test_exit_if_refuses_to_end_the_caller():
    with pytest.raises(RuntimeError, match="send it to a worker"):
        alt.exit_if(3, 3, os.getpid())
    assert alt.exit_if(4, 3, parent_pid=-1) == 16  # another process: runs normally


def test_gil_status_on_a_standard_build():
    assert alt.gil_status().startswith(("standard build", "free-threaded build"))


def test_duration_and_line_use_the_course_forms():
    assert alt.duration(1.5) == "1.500 s"
    assert alt.duration(0.0123) == "12.3 ms"
    assert alt.duration(4.56e-5) == "45.6 µs"
    record = alt.measure("numpy", lambda: [1], [1], timer=iter([0.0, 0.5]).__next__,
                         repeats=1, baseline=1.0)
    assert alt.line(record) == f"{'numpy':<22} 500.0 ms  2.00x"


def test_measure_with_a_fake_clock():
    clock = itertools.count(0.0, 0.25).__next__  # every run takes 0.25 s
    record = alt.measure("threads", lambda: [1, 4], [1, 4], workers=2, repeats=3,
                         baseline=1.0, timer=clock)
    assert record.times == (0.25, 0.25, 0.25)
    assert record.median == 0.25 and record.speedup == 4.0 and record.efficiency == 2.0
    assert record.tasks == 2 and record.workers == 2


def test_measure_warmup_is_not_counted():
    ticks = iter([0.0, 5.0, 5.0, 5.5])  # warm-up 5 s, then one run of 0.5 s
    record = alt.measure("joblib", lambda: [1], [1], repeats=1, warmup=True,
                         timer=ticks.__next__)
    assert record.times == (0.5,)
    assert record.speedup is None


def test_measure_rejects_wrong_results():
    with pytest.raises(ResultMismatch, match="same sums"):
        alt.measure("broken", lambda: [1, 2], [1, 3])
    with pytest.raises(ValueError, match="at least 1"):
        alt.measure("x", lambda: [1], [1], repeats=0)


def test_threads_and_joblib_return_serial_results():
    inputs = [1_000, 2_000, 3_000]
    expected = [cpu_task(n) for n in inputs]
    assert alt.run_threads(cpu_task, inputs, 2) == expected
    try:
        assert alt.run_joblib(cpu_task, inputs, 2) == expected
    finally:
        alt.shutdown_joblib()
