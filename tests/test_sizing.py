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


GiB = 2**30


def test_memory_lowers_the_count_and_says_why():
    s = max_workers(info=info(8), env={}, memory_per_worker=3 * GiB, available_memory=16 * GiB)
    assert s.workers == 5
    assert "16.0 GiB of RAM available and 3.0 GiB per worker: room for 5" in s.reasons[-1]


def test_memory_that_is_not_the_limit_is_said_so():
    s = max_workers(info=info(4), env={}, memory_per_worker=GiB, available_memory=64 * GiB)
    assert s.workers == 4 and "memory is not the limit" in s.reasons[-1]


def test_when_not_even_one_worker_fits_there_is_still_one():
    s = max_workers(info=info(8), env={}, memory_per_worker=8 * GiB, available_memory=GiB)
    assert s.workers == 1 and "not even one worker fits" in s.reasons[-1]


def test_memory_combines_with_tasks_and_windows():
    assert max_workers(tasks=2, info=info(8), env={}, memory_per_worker=GiB,
                       available_memory=4 * GiB).workers == 2
    assert max_workers(info=info(128), platform="win32", env={}, memory_per_worker=2**20,
                       available_memory=GiB).workers == WINDOWS_LIMIT


def test_available_memory_defaults_to_what_psutil_reads():
    s = max_workers(info=info(2), env={}, memory_per_worker=2**20)
    assert "of RAM available and 1 MiB per worker" in s.reasons[-1]


def test_without_an_estimate_memory_is_not_mentioned():
    assert not any("RAM" in r for r in max_workers(info=info(8), env={}).reasons)


@pytest.mark.parametrize("kwargs, error", [
    (dict(memory_per_worker="1GB"), TypeError),
    (dict(memory_per_worker=1.5), TypeError),
    (dict(memory_per_worker=True), TypeError),
    (dict(memory_per_worker=0), ValueError),
    (dict(memory_per_worker=GiB, available_memory=-1), ValueError),
    (dict(memory_per_worker=GiB, available_memory=2.0), TypeError),
])
def test_bad_memory_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs)) if "available_memory" not in kwargs
                       else "available_memory"):
        max_workers(info=info(), env={}, **kwargs)
