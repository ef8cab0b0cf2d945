import pytest

from helpers.machine import MachineInfo
from helpers.sizing import WINDOWS_LIMIT, max_workers


def info(cpu_count=8, affinity=None, process=None, quota=None):
    return MachineInfo("3.11.7", "CPython", "Linux x86_64", "fork", ("fork", "spawn"),
                       cpu_count, affinity, process, quota, 1)


def test_all_cpus_when_nothing_limits():
    s = max_workers(info=info(8), env={})
    assert s.workers == 8
    assert "no cgroup CPU quota" in s.reasons


def test_affinity_and_quota_lower_the_count():
    assert max_workers(info=info(8, affinity=4), env={}).workers == 4
    s = max_workers(info=info(8, affinity=4, quota=1.5), env={})
    assert s.workers == 2
    assert any("quota of 1.5 CPUs" in r for r in s.reasons)
    assert max_workers(info=info(8, process=3), env={}).workers == 3


def test_tasks_and_blas_threads_lower_it_further():
    assert max_workers(tasks=3, info=info(8), env={}).workers == 3
    s = max_workers(blas_threads=4, info=info(8), env={})
    assert s.workers == 2
    assert max_workers(blas_threads=16, info=info(8), env={}).workers == 1


def test_windows_cap_and_python_cpu_count_are_explained():
    s = max_workers(info=info(128), platform="win32", env={"PYTHON_CPU_COUNT": "128"})
    assert s.workers == WINDOWS_LIMIT
    assert any("PYTHON_CPU_COUNT=128" in r for r in s.reasons)
    assert "max_workers = 61" in str(s)


def test_unknown_cpu_count_gives_one():
    assert max_workers(info=info(None), env={}).workers == 1


@pytest.mark.parametrize("kwargs, error", [(dict(tasks=0), ValueError),
                                           (dict(blas_threads=0), ValueError),
                                           (dict(tasks=1.5), TypeError)])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        max_workers(info=info(), env={}, **kwargs)


def test_this_machine():
    s = max_workers()
    assert s.workers >= 1 and s.reasons[0].startswith("os.cpu_count()")
